// place_ancestors: the regions a place lies in, nearest first.
//
// Parameters
//   $place    id of a Region or Base, e.g. 'base:yinping-high-end-equipment'
// Returns one row:
//   regions   ids of every node reached from $place through IN (up to 20 hops), the
//             place itself excluded, by distance (fewest hops), then by id
// Used by Neo4jStore.place_ancestors, which puts the place itself first (rings, base
// facts, the audit).
OPTIONAL MATCH path = (:Entity {id: $place})-[:IN*1..20]->(region:Entity)
WHERE region.id <> $place
WITH region, min(length(path)) AS distance
ORDER BY distance, region.id
RETURN collect(region.id) AS regions
