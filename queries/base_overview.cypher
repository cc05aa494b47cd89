// base_overview: per base, what it focuses on, the regions it lies in, and how many
// firms have a site inside it (chaingraph info --bases).
//
// Parameters: none
// Returns one row per base, by id:
//   id, type, props, raw   the base record (props: its chaingraph properties as
//                         JSON text; raw: its Neo4j properties)
//   focus             [priority (9 when not set), target id, target name] per FOCUSES_ON
//   regions           names of the regions it lies in (IN up to 20 hops), nearest first
//   companies         firms with a site (LOCATED_IN, then IN) inside the base
// Used by Neo4jStore.base_facts.
MATCH (b:Base)
RETURN b.id AS id,
       b.type AS type,
       b.props_json AS props,
       properties(b) AS raw,
       COLLECT {
         MATCH (b)-[f:FOCUSES_ON]->(t:Entity)
         RETURN [coalesce(f.priority, 9), t.id, coalesce(t.name, t.id)]
       } AS focus,
       COLLECT {
         MATCH path = (b)-[:IN*1..20]->(r:Entity)
         WITH r, min(length(path)) AS distance
         ORDER BY distance, r.id
         RETURN coalesce(r.name, r.id)
       } AS regions,
       COUNT {
         MATCH (c:Company)-[:LOCATED_IN]->(:Entity)-[:IN*0..20]->(b)
         RETURN DISTINCT c
       } AS companies
ORDER BY id
