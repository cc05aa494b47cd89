// segment_candidates: candidates for a segment -- for each product the segment holds
// directly, the firms making it that have no site inside the area (those are the firms
// to attract; their profiles come from company_profiles).
//
// Parameters
//   $segments  list of Segment ids
//   $area      id of the Region or Base that counts as local ('' keeps every maker)
// Returns one row per (segment, product), by segment then product:
//   segment, product
//   makers     ids of the firms making the product with no site inside $area, sorted
// Used by Neo4jStore.segment_candidates (targets, plan).
OPTIONAL MATCH (area:Entity {id: $area})
WITH area
UNWIND $segments AS sid
MATCH (s:Entity {id: sid})<-[:IN_SEGMENT]-(p:Product)
WITH DISTINCT area, s, p
RETURN s.id AS segment,
       p.id AS product,
       COLLECT {
         MATCH (maker:Company)-[:MAKES]->(p)
         WHERE NOT EXISTS { (maker)-[:LOCATED_IN]->(:Entity)-[:IN*0..20]->(area) }
         RETURN DISTINCT maker.id AS id ORDER BY id
       } AS makers
ORDER BY segment, product
