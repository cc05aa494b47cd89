// segment_candidates: candidates for a segment -- for each of its products (those
// IN_SEGMENT it or a segment of the same name, and those named as it), the firms making it that have no site inside the area (those are the firms
// to attract; their profiles come from company_profiles).
//
// Parameters
//   $segments  list of Segment ids
//   $area      id of the Region or Base that counts as local ('' keeps every maker)
// Returns one row per (segment, product), in no particular order:
//   segment, product
//   makers     ids of the firms making the product with no site inside $area
//              (unsorted; the caller sorts)
// Used by Neo4jStore.segment_candidates (targets, plan).
//
// The firms with a site inside $area (a LOCATED_IN target among the places reached by
// walking IN backwards from $area, at most 20 hops: the same places as walking forwards
// from each site) are found once, after the (segment, product) pairs, so that the list
// is never part of a DISTINCT key; each maker is then one lookup in it.
UNWIND $segments AS sid
MATCH (s:Entity {id: sid})
MATCH (p:Product)
WHERE EXISTS { (p)-[:IN_SEGMENT]->(s) }
   OR (s.name IS NOT NULL AND s.name <> ''
       AND (p.name = s.name
            OR EXISTS { (p)-[:IN_SEGMENT]->(twin:Segment) WHERE twin.name = s.name }))
WITH DISTINCT s, p
WITH collect([s, p]) AS pairs
OPTIONAL MATCH (area:Entity {id: $area})
WITH pairs, COLLECT {
       MATCH (area)<-[:IN*0..20]-(:Entity)<-[:LOCATED_IN]-(firm:Company)
       RETURN DISTINCT firm
     } AS local_firms
UNWIND pairs AS pair
WITH pair[0] AS s, pair[1] AS p, local_firms
RETURN s.id AS segment,
       p.id AS product,
       [maker IN COLLECT { MATCH (maker:Company)-[:MAKES]->(p) RETURN DISTINCT maker }
        WHERE NOT maker IN local_firms | maker.id] AS makers
