// segment_coverage: for each segment, the firms making its own products and how many
// of them are local, local leaders, or in China; and its neighbouring segments.
// This is the heart of the gap analysis (建链/补链/强链/优势 are decided from it).
//
// Parameters
//   $segments     list of Segment ids
//   $area         id of the Region or Base that counts as local ('' for none)
//   $sep          U+001F, between the parts of a roster key (see rosters.cypher)
//   $names        false: local_names is null (not read: a reader that only counts the
//                 local firms skips fetching a hub city's 10^5 names)
// Returns one row per segment found (in no particular order):
//   segment, name, stage, weight (1.0 when not set), chain ('' if none)
//   products       ids of its products, sorted: those IN_SEGMENT it or a segment of the
//                  same name, and those named as it (a segment or product filed under
//                  two chains is one thing)
//   makers         how many firms make one of them
//   local_ids, local_names, local_facts   the firms making one of them with a site
//                  (LOCATED_IN, then IN up to 20 hops) inside $area: zlib-compressed JSON lists of ids
//                  (sorted) and names, and one byte per firm coding its best MAKES into
//                  the products as 3 × verified (source <> 'unverified') + grade,
//                  grade strong 2 > medium 1 (also when missing or unknown) > weak 0;
//                  null when there is none
//   national       how many firms have a site in China (region:cn)
//   upstream       segments holding inputs (INPUT_TO) of its products, itself excluded, sorted
//   downstream     segments holding products its products go into, itself excluded, sorted
// Used by Neo4jStore.segment_coverage (gaps), which marks the leaders among the local
// firms from the rosters of the leader rule's tags and of ranked firms (rosters.cypher).
//
// Proportional to the segments, not to any firm: the products, the number of makers in
// all and in China (cg_members, cg_makers, cg_national: chaingraph.store.neo4j.derived)
// and the local firms of each place (the roster of ($area, segment):
// chaingraph.store.neo4j.rosters) are kept up to date by every merge.
UNWIND $segments AS sid
MATCH (s:Entity {id: sid})
WHERE s:Segment
WITH s, coalesce(s.cg_members, []) AS products
OPTIONAL MATCH (roster:CgRoster {key: $area + $sep + 'seg' + $sep + s.id})
RETURN s.id AS segment,
       coalesce(s.name, s.id) AS name,
       coalesce(s.stage, '') AS stage,
       coalesce(s.weight, 1.0) AS weight,
       coalesce(head(COLLECT {
         MATCH (s)-[:PART_OF*1..100]->(c:Chain) RETURN c.id AS id ORDER BY id LIMIT 1
       }), '') AS chain,
       products,
       coalesce(s.cg_makers, 0) AS makers,
       roster.ids AS local_ids,
       CASE WHEN $names THEN roster.names END AS local_names,
       roster.facts AS local_facts,
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
