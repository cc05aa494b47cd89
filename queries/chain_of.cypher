// chain_of: the chain a segment belongs to.
//
// Parameters
//   $segment  id of a Segment, e.g. 'seg:ic.design'
// Returns one row:
//   chain     the smallest id among the Chains reached from $segment through PART_OF
//             (up to 100 hops); null when there is none
// Used by Neo4jStore.chain_of (structure, the segment's chain in gaps and maps).
OPTIONAL MATCH (:Entity {id: $segment})-[:PART_OF*1..100]->(chain:Chain)
WHERE chain.id <> $segment
RETURN min(chain.id) AS chain
