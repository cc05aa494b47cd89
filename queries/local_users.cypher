// local_users: for each product, the products it is an input to (INPUT_TO) and which
// of their makers have a site inside the area -- the local firms a target making the
// product could supply, and through which input link (targets' supply ties and reasons).
//
// Parameters
//   $products     list of Product ids
//   $inside_keys  the site keys (chaingraph.store.neo4j.derived: a maker's sorted
//                 LOCATED_IN ids joined by U+001F, its cg_sites) with a site inside the
//                 area (the caller finds them from the stamp's keys, see ring_makers.cypher);
//                 [] when no area
// Returns one row per user product (and one row with user null when there is none):
//   pairs      [product, user] for each product found and each product it is an input
//              to (user null for a product that is an input to nothing)
//   user       a product some product of $products is an input to
//   local      ids of the firms making `user` whose site key is one of $inside_keys: the
//              makers with a site (LOCATED_IN, then IN up to 20 hops) inside the area
//              (unsorted; the caller sorts)
// Used by Neo4jStore.local_users (targets).
//
// Proportional to the makers of the user products, not to the area's firms: each maker's
// site key is one property read against the keys inside the area.
UNWIND $products AS pid
MATCH (p:Entity {id: pid})
WHERE p:Product
OPTIONAL MATCH (p)-[:INPUT_TO]->(q:Product)
WITH DISTINCT p, q
WITH collect([p.id, q.id]) AS pairs, collect(DISTINCT q) AS users
UNWIND CASE WHEN size(users) = 0 THEN [null] ELSE users END AS user
RETURN pairs,
       user.id AS user,
       CASE WHEN user IS NULL THEN [] ELSE COLLECT {
         MATCH (maker:CgMaker)-[:MAKES]->(user)
         WHERE maker.cg_sites IN $inside_keys
         RETURN DISTINCT maker.id
       } END AS local
