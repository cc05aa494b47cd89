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
//
// The firms with a site in $home (a LOCATED_IN target among the places reached by walking
// IN backwards from $home, at most 20 hops: the same places as walking forwards from each
// site) are found once; each chain's firms are then looked up in that list.
OPTIONAL MATCH (home:Entity {id: $home})
WITH COLLECT {
       MATCH (home)<-[:IN*0..20]-(:Entity)<-[:LOCATED_IN]-(firm:Company)
       RETURN DISTINCT firm
     } AS local_firms
MATCH (chain:Chain)
WITH local_firms, chain,
     COLLECT { MATCH (s:Segment)-[:PART_OF*1..100]->(chain) RETURN DISTINCT s } AS segments
WITH local_firms, chain, segments,
     COLLECT { UNWIND segments AS s MATCH (p:Product)-[:IN_SEGMENT]->(s) RETURN DISTINCT p } AS products
WITH local_firms, chain, segments, products,
     COLLECT { UNWIND products AS p MATCH (c:Company)-[:MAKES]->(p) RETURN DISTINCT c } AS firms
RETURN chain.id AS chain,
       coalesce(chain.name, chain.id) AS name,
       size(segments) AS segments,
       size(products) AS products,
       size(firms) AS companies,
       size([c IN firms WHERE c IN local_firms]) AS local_companies,
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
