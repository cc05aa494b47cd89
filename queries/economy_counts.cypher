// economy_counts: the economy a segment's local share is measured against -- how many
// firms make any product with a site inside the area, in China, and anywhere.
//
// Parameters
//   $area   id of the Region or Base that counts as local ('' for none)
// Returns one row:
//   local      firms making a product with a site (LOCATED_IN, then IN up to 20 hops)
//              inside $area (0 when $area is '' or unknown)
//   national   the same for China (region:cn)
//   total      every firm making a product
// Used by Neo4jStore.economy_counts (gaps: location quotient, expected local firms).
OPTIONAL MATCH (area:Entity {id: $area})
OPTIONAL MATCH (nation:Entity {id: 'region:cn'})
WITH COLLECT { MATCH (area)<-[:IN*0..20]-(:Entity)<-[:LOCATED_IN]-(firm:Company)
               WHERE EXISTS { (firm)-[:MAKES]->() } RETURN DISTINCT firm } AS local_firms,
     COLLECT { MATCH (nation)<-[:IN*0..20]-(:Entity)<-[:LOCATED_IN]-(firm:Company)
               WHERE EXISTS { (firm)-[:MAKES]->() } RETURN DISTINCT firm } AS national_firms
RETURN size(local_firms) AS local,
       size(national_firms) AS national,
       COUNT { MATCH (firm:Company) WHERE EXISTS { (firm)-[:MAKES]->() } } AS total
