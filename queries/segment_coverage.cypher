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
// Proportional to the local firms, not to every maker: the products, and the number of
// makers in all and in China, are the figures kept on each Segment
// (cg_members, cg_makers, cg_national: chaingraph.store.neo4j.derived). The local
// firms are found by walking IN backwards from $area (at most 20 hops, the same places
// as walking forwards from each site) and then LOCATED_IN; each one's MAKES are read
// once, and a product's segments are the list kept on it (cg_segments).
OPTIONAL MATCH (area:Entity {id: $area})
WITH COLLECT {
       MATCH (area)<-[:IN*0..20]-(:Entity)<-[:LOCATED_IN]-(firm:CgMaker)
       WITH DISTINCT firm
       MATCH (firm)-[m:MAKES]->(p:Product)
       UNWIND p.cg_segments AS sid
       WITH sid, firm, m
       WHERE sid IN $segments
       WITH sid, firm,
            max(CASE WHEN coalesce(m.source, '') <> 'unverified' THEN 3 ELSE 0 END
                + CASE m.evidence WHEN 'strong' THEN 2 WHEN 'weak' THEN 0 ELSE 1 END) AS best
       WITH sid, collect([firm.id, coalesce(firm.name, firm.id),
                          any(tag IN coalesce(firm.tags, []) WHERE tag IN $leader_tags)
                          OR coalesce(firm.global_rank_no <= $leader_rank, false),
                          best]) AS firms
       RETURN [sid, firms]
     } AS local_by_segment
UNWIND $segments AS sid
MATCH (s:Entity {id: sid})
WHERE s:Segment
WITH s, local_by_segment, coalesce(s.cg_members, []) AS products
RETURN s.id AS segment,
       coalesce(s.name, s.id) AS name,
       coalesce(s.stage, '') AS stage,
       coalesce(s.weight, 1.0) AS weight,
       coalesce(head(COLLECT {
         MATCH (s)-[:PART_OF*1..100]->(c:Chain) RETURN c.id AS id ORDER BY id LIMIT 1
       }), '') AS chain,
       products,
       coalesce(s.cg_makers, 0) AS makers,
       coalesce(head([pair IN local_by_segment WHERE pair[0] = s.id | pair[1]]), []) AS local,
       coalesce(s.cg_national, 0) AS national,
       COLLECT {
         UNWIND products AS pid
         MATCH (:Entity {id: pid})<-[:INPUT_TO]-(:Product)-[:IN_SEGMENT]->(up:Segment)
         WHERE up <> s
         RETURN DISTINCT up.id AS id ORDER BY id
       } AS upstream,
       COLLECT {
         UNWIND products AS pid
         MATCH (:Entity {id: pid})-[:INPUT_TO]->(:Product)-[:IN_SEGMENT]->(down:Segment)
         WHERE down <> s
         RETURN DISTINCT down.id AS id ORDER BY id
       } AS downstream
