// company_profiles: what the gap and target rules need to know about each firm
// (candidates for a segment are scored from these rows).
//
// Parameters
//   $ids   list of Company ids
// Returns one row per company found:
//   id, type, props, raw  the company record (props: its chaingraph properties as
//                       JSON text; raw: its Neo4j properties, only when props is missing,
//                       as they would carry props again)
//   places              every region or base it has a site in, with the regions around
//                       them (LOCATED_IN, then IN up to 20 hops)
//   hq                  its headquarters (LOCATED_IN with key 总部; the smallest id if
//                       several) and the regions around it, nearest first, as maps
//                       {id, level, gba, name}
//   facts, unverified   its record plus its MAKES/LOCATED_IN/SUPPLIES relationships,
//                       and how many of those say source = 'unverified'
//   makes, customers    products it makes and companies it supplies, sorted
// Used by Neo4jStore.company_facts (firm profiles in gaps, targets, plan, chokepoints).
UNWIND $ids AS cid
MATCH (c:Entity {id: cid})
WHERE c:Company
RETURN c.id AS id,
       c.type AS type,
       c.props_json AS props,
       CASE WHEN c.props_json IS NULL THEN properties(c) END AS raw,
       COLLECT {
         MATCH (c)-[:LOCATED_IN]->(:Entity)-[:IN*0..20]->(place:Entity)
         RETURN DISTINCT place.id
       } AS places,
       COLLECT {
         MATCH (c)-[:LOCATED_IN {key: '总部'}]->(site:Entity)
         WITH site ORDER BY site.id LIMIT 1
         MATCH path = (site)-[:IN*0..20]->(place:Entity)
         WITH place, min(length(path)) AS distance
         ORDER BY distance, place.id
         RETURN {id: place.id, level: place.level, gba: coalesce(place.gba, false),
                 name: coalesce(place.name, place.id)}
       } AS hq,
       1 + COUNT { (c)-[:MAKES|LOCATED_IN|SUPPLIES]->() } AS facts,
       CASE WHEN c.source = 'unverified' THEN 1 ELSE 0 END
         + COUNT { MATCH (c)-[r:MAKES|LOCATED_IN|SUPPLIES]->() WHERE r.source = 'unverified' RETURN r }
         AS unverified,
       COLLECT { MATCH (c)-[:MAKES]->(p) RETURN DISTINCT p.id AS id ORDER BY id } AS makes,
       COLLECT { MATCH (c)-[:SUPPLIES]->(k) RETURN DISTINCT k.id AS id ORDER BY id } AS customers
