// focus_segments: the segments a base is judged on, with the best priority it gives each.
//
// Parameters
//   $base   id of a Base, e.g. 'base:yinping-high-end-equipment'
// Returns one row per segment, by segment id:
//   segment   id of an evaluated segment (a leaf, or a parent that holds products itself)
//   priority  best (smallest) FOCUSES_ON priority reaching it; 3 when none is given
//
// A focus on a chain or segment reaches every evaluated segment below it (the
// segment itself included); a focus on a product reaches the segments holding it.
// Used by Neo4jStore.focus_priorities (gaps, targets, plan, compare).
MATCH (b:Entity {id: $base})-[f:FOCUSES_ON]->(t:Entity)
WITH t, coalesce(f.priority, 3) AS priority
WITH priority,
     CASE
       WHEN t:Product THEN COLLECT { MATCH (t)-[:IN_SEGMENT]->(s:Segment) RETURN s.id }
       ELSE COLLECT {
         MATCH (s:Segment)-[:PART_OF*0..100]->(t)
         WHERE NOT EXISTS { (:Segment)-[:PART_OF]->(s) } OR EXISTS { (:Product)-[:IN_SEGMENT]->(s) }
         RETURN DISTINCT s.id
       }
     END AS segments
UNWIND segments AS segment
RETURN segment, min(priority) AS priority
ORDER BY segment
