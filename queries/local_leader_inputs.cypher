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
//   leaders         local leaders making the product, sorted by id
//   leader_names    their names (sorted again by name by the caller)
//   makers          how many firms make the input
//   local_makers    of those, how many have a site inside $area
// Used by Neo4jStore.leader_inputs (gaps).
OPTIONAL MATCH (area:Entity {id: $area})
WITH area
UNWIND $products AS pid
MATCH (product:Entity {id: pid})
WHERE product:Product
WITH area, product,
     COLLECT {
       MATCH (leader:Company)-[:MAKES]->(product)
       WHERE EXISTS { (leader)-[:LOCATED_IN]->(:Entity)-[:IN*0..20]->(area) }
         AND (any(tag IN coalesce(leader.tags, []) WHERE tag IN $leader_tags)
              OR coalesce(leader.global_rank_no <= $leader_rank, false))
       RETURN DISTINCT leader ORDER BY leader.id
     } AS leaders
WHERE size(leaders) > 0
MATCH (input:Product)-[:INPUT_TO]->(product)
WITH DISTINCT area, product, leaders, input
RETURN product.id AS product,
       coalesce(product.name, product.id) AS product_name,
       input.id AS input,
       coalesce(input.name, input.id) AS input_name,
       COLLECT { MATCH (input)-[:IN_SEGMENT]->(s) RETURN DISTINCT s.id AS id ORDER BY id } AS input_segments,
       [leader IN leaders | leader.id] AS leaders,
       [leader IN leaders | coalesce(leader.name, leader.id)] AS leader_names,
       COUNT { MATCH (maker:Company)-[:MAKES]->(input) RETURN DISTINCT maker } AS makers,
       COUNT {
         MATCH (maker:Company)-[:MAKES]->(input)
         WHERE EXISTS { (maker)-[:LOCATED_IN]->(:Entity)-[:IN*0..20]->(area) }
         RETURN DISTINCT maker
       } AS local_makers
ORDER BY product, input
