// local_leader_inputs: inputs of products that a local leader makes, with how many
// firms make each input and how many of those are local. Inputs with no local maker
// are the 延链 (以商招商) gaps; the rest give the 本地配套率.
//
// Parameters
//   $products     list of Product ids (the products of a base's focus segments)
//   $area         id of the Region or Base that counts as local
//   $leader_tags  tags that make a firm a leader, e.g. ['龙头企业', '链主', '全球百强', '单项冠军']
//   $leader_rank  a global rank at most this also makes a leader, e.g. 100
// Returns one row per (product, input), by product then input:
//   product, product_name, input, input_name
//   input_segments  segments holding the input, sorted
//   leaders         local leaders making the product (unsorted; the caller sorts)
//   leader_names    their names (unsorted; the caller sorts them by name)
//   makers          how many firms make the input
//   ring_keys, ring_makers   its makers per site key (cg_ring_keys, cg_ring_makers:
//                   chaingraph.store.neo4j.derived); the caller adds up those inside
//                   $area: how many of its makers are local
// Used by Neo4jStore.leader_inputs (gaps).
//
// Proportional to the local firms: they are found by walking IN backwards from $area
// (at most 20 hops: the same places as walking forwards from each site), then
// LOCATED_IN. The leaders among them give the products and their inputs. How many
// firms make an input, in all and per site key, is kept on it (cg_makers,
// cg_ring_keys, cg_ring_makers: chaingraph.store.neo4j.derived).
OPTIONAL MATCH (area:Entity {id: $area})
WITH COLLECT {
       MATCH (area)<-[:IN*0..20]-(:Entity)<-[:LOCATED_IN]-(firm:CgMaker)
       WITH DISTINCT firm
       WHERE any(tag IN coalesce(firm.tags, []) WHERE tag IN $leader_tags)
             OR coalesce(firm.global_rank_no <= $leader_rank, false)
       MATCH (firm)-[:MAKES]->(product:Product)
       WHERE product.id IN $products
       WITH DISTINCT product, firm
       WITH product, collect(firm) AS leaders
       RETURN [product, leaders]
     } AS made
UNWIND made AS pair
WITH pair[0] AS product, pair[1] AS leaders
// One row per input, its (product, leaders) uses aside.
MATCH (input:Product)-[:INPUT_TO]->(product)
WITH input, collect(DISTINCT [product, leaders]) AS uses
WITH input, uses,
     coalesce(input.cg_makers, 0) AS makers,
     COLLECT { MATCH (input)-[:IN_SEGMENT]->(s) RETURN DISTINCT s.id AS id ORDER BY id } AS input_segments
UNWIND uses AS use
WITH use[0] AS product, use[1] AS leaders, input, input_segments, makers
RETURN product.id AS product,
       coalesce(product.name, product.id) AS product_name,
       input.id AS input,
       coalesce(input.name, input.id) AS input_name,
       input_segments,
       [leader IN leaders | leader.id] AS leaders,
       [leader IN leaders | coalesce(leader.name, leader.id)] AS leader_names,
       makers,
       input.cg_ring_keys AS ring_keys,
       input.cg_ring_makers AS ring_makers
ORDER BY product, input
