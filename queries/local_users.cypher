// local_users: for each product, the products it is an input to (INPUT_TO) and which
// of their makers have a site inside the area -- the local firms a target making the
// product could supply, and through which input link (targets' supply ties and reasons).
//
// Parameters
//   $products  list of Product ids
//   $area      id of the Region or Base that counts as local ('' for none)
// Returns one row per (product, user product), and one row with user null for a
// product found that is an input to nothing; in no particular order:
//   product, user
//   local      ids of the firms making `user` with a site (LOCATED_IN, then IN up to
//              20 hops) inside $area (unsorted; the caller sorts)
// Used by Neo4jStore.local_users (targets).
UNWIND $products AS pid
MATCH (p:Entity {id: pid})
WHERE p:Product
OPTIONAL MATCH (p)-[:INPUT_TO]->(q:Product)
WITH DISTINCT p, q
// The local firms are found once, after the pairs, so the list is never a DISTINCT key.
WITH collect([p, q]) AS pairs
OPTIONAL MATCH (area:Entity {id: $area})
WITH pairs, COLLECT {
       MATCH (area)<-[:IN*0..20]-(:Entity)<-[:LOCATED_IN]-(firm:Company)
       RETURN DISTINCT firm
     } AS local_firms
UNWIND pairs AS pair
WITH pair[0] AS p, pair[1] AS q, local_firms
RETURN p.id AS product,
       q.id AS user,
       CASE WHEN q IS NULL THEN [] ELSE
         [maker IN COLLECT { MATCH (maker:Company)-[:MAKES]->(q) RETURN DISTINCT maker }
          WHERE maker IN local_firms | maker.id] END AS local
