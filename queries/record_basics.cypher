// record_basics: what target scores read from firms' own records, for many firms at once
// (tags, global rank, revenue, listing board: chaingraph.store.records.basics_of).
//
// Parameters
//   $ids   list of node ids (Company ids)
// Returns one row:
//   rows   per node found: [id, tags, revenue_cny_100m, props_extra, props_json] -- the
//          plain properties basics_of reads and the JSON text holding the nested ones
//          (global_rank, listing); props_json only in databases of older versions
// Used by Neo4jStore.record_basics (targets: makers ranked by score bound), which reads
// these few properties instead of whole records.
UNWIND $ids AS nid
MATCH (n:Entity {id: nid})
RETURN collect([n.id, n.tags, n.revenue_cny_100m, n.props_extra, n.props_json]) AS rows
