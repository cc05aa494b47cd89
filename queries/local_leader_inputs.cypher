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
//   local_makers    of those, how many have a site inside $area
// Used by Neo4jStore.leader_inputs (gaps).
//
// The firms with a site inside $area (a LOCATED_IN target among the places reached by
// walking IN backwards from $area, at most 20 hops: the same places as walking forwards
// from each site) are found once, and every local test is a lookup in that list.
// The makers of an input are counted once however many products it goes into.
OPTIONAL MATCH (area:Entity {id: $area})
WITH COLLECT {
       MATCH (area)<-[:IN*0..20]-(:Entity)<-[:LOCATED_IN]-(firm:Company)
       RETURN DISTINCT firm
     } AS local_firms
UNWIND $products AS pid
MATCH (product:Entity {id: pid})
WHERE product:Product
WITH local_firms, product,
     COLLECT { MATCH (maker:Company)-[:MAKES]->(product) RETURN DISTINCT maker } AS makers
WITH local_firms, product,
     [m IN makers WHERE m IN local_firms
        AND (any(tag IN coalesce(m.tags, []) WHERE tag IN $leader_tags)
             OR coalesce(m.global_rank_no <= $leader_rank, false))] AS leaders
WHERE size(leaders) > 0
// One row per input, its (product, leaders) uses aside. The list of local firms is
// carried with head(collect(...)), not grouped by: a grouping key is hashed per row.
UNWIND COLLECT { MATCH (input:Product)-[:INPUT_TO]->(product) RETURN DISTINCT input } AS input
WITH input, collect([product, leaders]) AS uses, head(collect(local_firms)) AS local_firms
WITH input, uses, local_firms,
     COLLECT { MATCH (maker:Company)-[:MAKES]->(input) RETURN DISTINCT maker } AS makers
WITH input, uses, size(makers) AS makers, size([m IN makers WHERE m IN local_firms]) AS local_makers,
     COLLECT { MATCH (input)-[:IN_SEGMENT]->(s) RETURN DISTINCT s.id AS id ORDER BY id } AS input_segments
UNWIND uses AS use
WITH use[0] AS product, use[1] AS leaders, input, input_segments, makers, local_makers
RETURN product.id AS product,
       coalesce(product.name, product.id) AS product_name,
       input.id AS input,
       coalesce(input.name, input.id) AS input_name,
       input_segments,
       [leader IN leaders | leader.id] AS leaders,
       [leader IN leaders | coalesce(leader.name, leader.id)] AS leader_names,
       makers,
       local_makers
ORDER BY product, input
