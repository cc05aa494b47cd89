// segment_coverage: for each segment, the firms making its own products and how many
// of them are local, local leaders, or in China; and its neighbouring segments.
// This is the heart of the gap analysis (建链/补链/强链/优势 are decided from it).
//
// Parameters
//   $segments     list of Segment ids
//   $area         id of the Region or Base that counts as local ('' for none)
//   $leader_tags  tags that make a firm a leader, e.g. ['龙头企业', '链主', '全球百强', '单项冠军']
//   $leader_rank  a global rank at most this also makes a leader, e.g. 100
// Returns one row per segment found:
//   segment, name, stage, weight (1.0 when not set), chain ('' if none)
//   products       ids of the products it holds directly
//   firms          ids of every firm making one of them
//   local          firms with a site (LOCATED_IN, then IN up to 20 hops) inside $area
//   local_names    their names, in the same order
//   local_leaders  local firms that are leaders
//   national       how many firms have a site in China (region:cn)
//   upstream       segments holding inputs (INPUT_TO) of its products, itself excluded
//   downstream     segments holding products its products go into, itself excluded
// Lists of ids are sorted. Used by Neo4jStore.segment_coverage (gaps).
OPTIONAL MATCH (area:Entity {id: $area})
OPTIONAL MATCH (nation:Entity {id: 'region:cn'})
WITH area, nation
UNWIND $segments AS sid
MATCH (s:Entity {id: sid})
WHERE s:Segment
WITH s, area, nation,
     COLLECT { MATCH (p:Product)-[:IN_SEGMENT]->(s) RETURN DISTINCT p.id AS id ORDER BY id } AS products,
     COLLECT { MATCH (s)-[:PART_OF*1..100]->(c:Chain) RETURN c.id AS id ORDER BY id LIMIT 1 } AS chains,
     COLLECT {
       MATCH (firm:Company)-[:MAKES]->(:Product)-[:IN_SEGMENT]->(s)
       WITH DISTINCT firm
       RETURN {
         id: firm.id,
         name: coalesce(firm.name, firm.id),
         local: EXISTS { (firm)-[:LOCATED_IN]->(:Entity)-[:IN*0..20]->(area) },
         national: EXISTS { (firm)-[:LOCATED_IN]->(:Entity)-[:IN*0..20]->(nation) },
         leader: any(tag IN coalesce(firm.tags, []) WHERE tag IN $leader_tags)
                 OR coalesce(firm.global_rank_no <= $leader_rank, false)
       } AS row
       ORDER BY row.id
     } AS firms,
     COLLECT {
       MATCH (s)<-[:IN_SEGMENT]-(:Product)<-[:INPUT_TO]-(:Product)-[:IN_SEGMENT]->(up:Segment)
       WHERE up <> s
       RETURN DISTINCT up.id AS id ORDER BY id
     } AS upstream,
     COLLECT {
       MATCH (s)<-[:IN_SEGMENT]-(:Product)-[:INPUT_TO]->(:Product)-[:IN_SEGMENT]->(down:Segment)
       WHERE down <> s
       RETURN DISTINCT down.id AS id ORDER BY id
     } AS downstream
RETURN s.id AS segment,
       coalesce(s.name, s.id) AS name,
       coalesce(s.stage, '') AS stage,
       coalesce(s.weight, 1.0) AS weight,
       coalesce(head(chains), '') AS chain,
       products,
       [f IN firms | f.id] AS firms,
       [f IN firms WHERE f.local | f.id] AS local,
       [f IN firms WHERE f.local | f.name] AS local_names,
       [f IN firms WHERE f.local AND f.leader | f.id] AS local_leaders,
       size([f IN firms WHERE f.national]) AS national,
       upstream,
       downstream
