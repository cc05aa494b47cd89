// evaluated_segments: the segments under a chain or segment that are judged on their own.
//
// Parameters
//   $root   id of a Chain or Segment, e.g. 'chain:ic'
// Returns one row per segment, by id:
//   segment  a segment at or below $root (through PART_OF) with no sub-segment, or
//            with products of its own
// Used by Neo4jStore.evaluated_segments (gaps --chain, gaps --region).
MATCH (root:Entity {id: $root})
MATCH (s:Segment)-[:PART_OF*0..100]->(root)
WHERE NOT EXISTS { (:Segment)-[:PART_OF]->(s) } OR EXISTS { (:Product)-[:IN_SEGMENT]->(s) }
RETURN DISTINCT s.id AS segment
ORDER BY segment
