// leader_product_inputs: the inputs (INPUT_TO) of products that local leaders make, with
// how many firms make each input -- the rest of Neo4jStore.leader_inputs, once the local
// leaders and what they make are read from the rosters (see rosters.cypher).
//
// Parameters
//   $products   list of Product ids (those a local leader makes)
// Returns one row per (product, input), by product then input:
//   product, product_name, input, input_name
//   input_segments  segments holding the input, sorted
//   makers          how many firms make the input (cg_makers)
//   ring_keys, ring_makers   its makers per site key (cg_ring_keys, cg_ring_makers:
//                   chaingraph.store.neo4j.derived); the caller adds up those inside
//                   the area: how many of its makers are local
// Used by Neo4jStore.leader_inputs (gaps: 延链 and 本地配套率).
UNWIND $products AS pid
MATCH (product:Entity {id: pid})
WHERE product:Product
MATCH (input:Product)-[:INPUT_TO]->(product)
WITH DISTINCT product, input
RETURN product.id AS product,
       coalesce(product.name, product.id) AS product_name,
       input.id AS input,
       coalesce(input.name, input.id) AS input_name,
       COLLECT { MATCH (input)-[:IN_SEGMENT]->(s) RETURN DISTINCT s.id AS id ORDER BY id } AS input_segments,
       coalesce(input.cg_makers, 0) AS makers,
       input.cg_ring_keys AS ring_keys,
       input.cg_ring_makers AS ring_makers
ORDER BY product, input
