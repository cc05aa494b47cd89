// chain_overview: per chain, its segments and products, the firms making those
// products, how many of them are local to a home region, and how many of their
// facts are unverified (chaingraph info --chains).
//
// Parameters
//   $home   id of the home Region, e.g. 'region:cn-dongguan'
// Returns one row per chain, by id:
//   chain, name, segments, products, companies, local_companies
//   facts        company records plus their MAKES/LOCATED_IN/SUPPLIES relationships
//   unverified   of those, how many say source = 'unverified'
// Used by Neo4jStore.chain_counts.
OPTIONAL MATCH (home:Entity {id: $home})
WITH home
MATCH (chain:Chain)
WITH home, chain,
     COLLECT { MATCH (s:Segment)-[:PART_OF*1..100]->(chain) RETURN DISTINCT s } AS segments
WITH home, chain, segments,
     COLLECT { UNWIND segments AS s MATCH (p:Product)-[:IN_SEGMENT]->(s) RETURN DISTINCT p } AS products
WITH home, chain, segments, products,
     COLLECT { UNWIND products AS p MATCH (c:Company)-[:MAKES]->(p) RETURN DISTINCT c } AS firms
RETURN chain.id AS chain,
       coalesce(chain.name, chain.id) AS name,
       size(segments) AS segments,
       size(products) AS products,
       size(firms) AS companies,
       COUNT {
         UNWIND firms AS c
         MATCH (c)
         WHERE EXISTS { (c)-[:LOCATED_IN]->(:Entity)-[:IN*0..20]->(home) }
         RETURN c
       } AS local_companies,
       size(firms) + COUNT {
         UNWIND firms AS c
         MATCH (c)-[r:MAKES|LOCATED_IN|SUPPLIES]->()
         RETURN r
       } AS facts,
       size([c IN firms WHERE c.source = 'unverified']) + COUNT {
         UNWIND firms AS c
         MATCH (c)-[r:MAKES|LOCATED_IN|SUPPLIES]->()
         WHERE r.source = 'unverified'
         RETURN r
       } AS unverified
ORDER BY chain
