// chokepoints: every product (of one chain, or all) with the firms that make it --
// the supply side of the 卡脖子 ranking. The ranking also needs the INPUT_TO graph
// (dominators) and the makers' home countries (company_profiles).
//
// Parameters
//   $chain   id of a Chain, or null for every product
// Returns one row per product, by id:
//   product, name
//   makers   ids of the firms making it, sorted
// Used by Neo4jStore.product_supply (chokepoints).
MATCH (p:Product)
WHERE $chain IS NULL
   OR EXISTS { (p)-[:IN_SEGMENT]->(:Segment)-[:PART_OF*1..100]->(:Entity {id: $chain}) }
RETURN p.id AS product,
       coalesce(p.name, p.id) AS name,
       COLLECT { MATCH (maker:Company)-[:MAKES]->(p) RETURN DISTINCT maker.id AS id ORDER BY id } AS makers
ORDER BY product
