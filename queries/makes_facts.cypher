// makes_facts: the MAKES facts from some firms to some products (the product fact
// each target row cites).
//
// Parameters
//   $ids        list of Company ids
//   $products   list of Product ids, one per firm: the pairs asked are
//               ($ids[i], $products[i])
// Returns one row:
//   rows   per MAKES relationship of those pairs, ordered by firm, product and key as
//          Neo4jStore.relationships orders them: [firm id, product id, key, props_json,
//          properties] (the relationship's chaingraph properties as JSON text, and its
//          Neo4j properties for a relationship stored without that text)
// Used by Neo4jStore.makes_facts (describing targets: one read, not one per row).
UNWIND range(0, size($ids) - 1) AS at
WITH $ids[at] AS cid, $products[at] AS pid
// from the firm (a few facts), never from the product (10^4 makers at 10^6 firms)
MATCH (c:Entity {id: cid})-[m:MAKES]->(p)
WHERE p.id = pid
WITH c.id AS source, p.id AS target, coalesce(m.key, '') AS key, m
ORDER BY source, target, key
RETURN collect([source, target, key, m.props_json, properties(m)]) AS rows
