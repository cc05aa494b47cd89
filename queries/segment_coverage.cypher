// segment_coverage: for each segment, the firms making its own products and how many
// of them are local, local leaders, or in China; and its neighbouring segments.
// This is the heart of the gap analysis (建链/补链/强链/优势 are decided from it).
//
// Parameters
//   $segments     list of Segment ids
//   $area         id of the Region or Base that counts as local ('' for none)
//   $leader_tags  tags that make a firm a leader, e.g. ['龙头企业', '链主', '全球百强', '单项冠军']
//   $leader_rank  a global rank at most this also makes a leader, e.g. 100
// Returns one row per segment found (in no particular order):
//   segment, name, stage, weight (1.0 when not set), chain ('' if none)
//   products       ids of its products, sorted: those IN_SEGMENT it or a segment of the
//                  same name, and those named as it (a segment or product filed under
//                  two chains is one thing)
//   makers         how many firms make one of them
//   local          [id, name, is leader, best fact] of each firm with a site
//                  (LOCATED_IN, then IN up to 20 hops) inside $area (unsorted; the
//                  caller sorts by id); best fact codes its best MAKES into the
//                  products as 3 × verified (source <> 'unverified') + grade, grade
//                  strong 2 > medium 1 (also when missing or unknown) > weak 0
//   national       how many firms have a site in China (region:cn)
//   upstream       segments holding inputs (INPUT_TO) of its products, itself excluded, sorted
//   downstream     segments holding products its products go into, itself excluded, sorted
// Used by Neo4jStore.segment_coverage (gaps).
//
// A firm is local when one of its LOCATED_IN targets is among the places inside $area,
// found once by walking IN backwards from $area (at most 20 hops, so the same places
// as walking forwards from each site); likewise for China. That keeps the work per
// firm to one step to its sites, however deep the regions nest.
OPTIONAL MATCH (area:Entity {id: $area})
OPTIONAL MATCH (nation:Entity {id: 'region:cn'})
WITH COLLECT { MATCH (area)<-[:IN*0..20]-(place:Entity) RETURN DISTINCT place } AS area_places,
     COLLECT { MATCH (nation)<-[:IN*0..20]-(place:Entity) RETURN DISTINCT place } AS nation_places
UNWIND $segments AS sid
MATCH (s:Entity {id: sid})
WHERE s:Segment
WITH s, area_places, nation_places,
     COLLECT {
       MATCH (p:Product)
       WHERE EXISTS { (p)-[:IN_SEGMENT]->(s) }
          OR (s.name IS NOT NULL AND s.name <> ''
              AND (p.name = s.name
                   OR EXISTS { (p)-[:IN_SEGMENT]->(twin:Segment) WHERE twin.name = s.name }))
       RETURN DISTINCT p ORDER BY p.id
     } AS products
// The places lists stay out of this subquery: imported, they would be carried (and
// hashed) along with every firm row.
WITH s, products, area_places, nation_places,
     COLLECT {
       UNWIND products AS p
       MATCH (firm:Company)-[:MAKES]->(p)
       WITH DISTINCT firm
       RETURN [firm, [(firm)-[:LOCATED_IN]->(site:Entity) | site]] AS firm_sites
     } AS firms
WITH s, products, firms, nation_places,
     [f IN firms WHERE any(site IN f[1] WHERE site IN area_places) | f[0]] AS local
RETURN s.id AS segment,
       coalesce(s.name, s.id) AS name,
       coalesce(s.stage, '') AS stage,
       coalesce(s.weight, 1.0) AS weight,
       coalesce(head(COLLECT {
         MATCH (s)-[:PART_OF*1..100]->(c:Chain) RETURN c.id AS id ORDER BY id LIMIT 1
       }), '') AS chain,
       [p IN products | p.id] AS products,
       size(firms) AS makers,
       [firm IN local | [firm.id, coalesce(firm.name, firm.id),
                         any(tag IN coalesce(firm.tags, []) WHERE tag IN $leader_tags)
                         OR coalesce(firm.global_rank_no <= $leader_rank, false),
                         reduce(best = 0, v IN [(firm)-[m:MAKES]->(p) WHERE p IN products |
                                  CASE WHEN coalesce(m.source, '') <> 'unverified' THEN 3 ELSE 0 END
                                  + CASE m.evidence WHEN 'strong' THEN 2 WHEN 'weak' THEN 0 ELSE 1 END]
                                | CASE WHEN v > best THEN v ELSE best END)]] AS local,
       size([f IN firms WHERE any(site IN f[1] WHERE site IN nation_places)]) AS national,
       COLLECT {
         UNWIND products AS p
         MATCH (p)<-[:INPUT_TO]-(:Product)-[:IN_SEGMENT]->(up:Segment)
         WHERE up <> s
         RETURN DISTINCT up.id AS id ORDER BY id
       } AS upstream,
       COLLECT {
         UNWIND products AS p
         MATCH (p)-[:INPUT_TO]->(:Product)-[:IN_SEGMENT]->(down:Segment)
         WHERE down <> s
         RETURN DISTINCT down.id AS id ORDER BY id
       } AS downstream
