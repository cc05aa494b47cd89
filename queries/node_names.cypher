// node_names: the names of many nodes at once, without the rest of their records.
//
// Parameters
//   $ids   list of node ids
// Returns one row:
//   rows   per node found: [id, name, props_extra, props_json] -- the name as stored and
//          the JSON text a name kept elsewhere would be in (props_json only in databases
//          of older versions)
// Used by Neo4jStore.node_names (targets: the names of the local firms a target could
// supply, 10^5 of them at city scope in a graph of 10^6 firms).
UNWIND $ids AS nid
MATCH (n:Entity {id: nid})
RETURN collect([n.id, n.name, n.props_extra, n.props_json]) AS rows
