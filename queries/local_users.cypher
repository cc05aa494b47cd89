// local_users: for each product, the products it is an input to (INPUT_TO) and which
// of their makers have a site inside the area -- the local firms a target making the
// product could supply, and through which input link (targets' supply ties and reasons).
//
// Parameters
//   $products  list of Product ids
//   $prefix    the key of the area's product rosters without the product id
//              (chaingraph.store.neo4j.rosters.key(area, 'prod')); '' when no area
// Returns one row per user product (and one row with user null when there is none):
//   pairs      [product, user] for each product found and each product it is an input
//              to (user null for a product that is an input to nothing)
//   user       a product some product of $products is an input to
//   local      the area's roster of `user` (:CgRoster, kind 'prod'): ids of the firms
//              making `user` with a site (LOCATED_IN, then IN up to 20 hops) inside the
//              area, sorted, as zlib-compressed JSON; null when there is none
// Used by Neo4jStore.local_users (targets).
//
// One roster read per user product, whatever the number of its makers.
UNWIND $products AS pid
MATCH (p:Entity {id: pid})
WHERE p:Product
OPTIONAL MATCH (p)-[:INPUT_TO]->(q:Product)
WITH DISTINCT p, q
WITH collect([p.id, q.id]) AS pairs, collect(DISTINCT q.id) AS users
UNWIND CASE WHEN size(users) = 0 THEN [null] ELSE users END AS user
OPTIONAL MATCH (r:CgRoster {key: $prefix + user})
WHERE $prefix <> ''
RETURN pairs, user, r.ids AS local
