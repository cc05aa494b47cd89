// company_sites: every place a company has a site in, with the regions around them.
//
// Parameters
//   $company  id of a Company, e.g. 'co:dg-robot'
// Returns one row:
//   places    ids of its LOCATED_IN targets and of every node reached from them
//             through IN (up to 20 hops), unsorted
// Used by Neo4jStore.company_sites (is a firm local to an area).
OPTIONAL MATCH (:Entity {id: $company})-[:LOCATED_IN]->(:Entity)-[:IN*0..20]->(place:Entity)
RETURN collect(DISTINCT place.id) AS places
