// revenue_shares: the revenue_share of each MAKES fact of some firms (主营构成), for the
// plan-alignment part of target scores.
//
// Parameters
//   $ids   list of Company ids
// Returns one row:
//   rows   per MAKES fact of those firms that may hold a share: [firm id, product id,
//          revenue_share, props_extra] (props_extra: the fact's JSON text of values Neo4j
//          does not store as they are, where a share of another type would be)
// Used by Neo4jStore.revenue_shares (targets), which keeps numbers from 0 to 1, the
// largest per product.
UNWIND $ids AS cid
MATCH (c:Entity {id: cid})-[m:MAKES]->(p:Entity)
WHERE m.revenue_share IS NOT NULL OR m.props_extra IS NOT NULL
RETURN collect([c.id, p.id, m.revenue_share, m.props_extra]) AS rows
