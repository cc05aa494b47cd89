// company_profiles: what the gap and target rules need to know about each firm
// (candidates for a segment are scored from these rows).
//
// Parameters
//   $ids   list of Company ids
// Returns one row:
//   firms   per company found: [id, type, props, raw, sites, head, facts, unverified,
//           makes, customers]
//             id, type, props, raw  the company record (props: its chaingraph
//                     properties as JSON text; raw: its Neo4j properties, only when props
//                     is missing, as they would carry props again)
//             sites   the ids of the nodes it has a site in (LOCATED_IN)
//             head    its headquarters: of the sites with key 总部, the smallest id (null
//                     when none)
//             facts, unverified  its record plus its MAKES/LOCATED_IN/SUPPLIES
//                     relationships, and how many of those say source = 'unverified'
//             makes, customers  products it makes and companies it supplies, sorted
//   chains  per distinct site of those firms: [site id, places], places being the site
//           and the regions around it (IN up to 20 hops), nearest first (then by id), as
//           maps {id, level, gba, name}
// Each site's regions are walked once for all the firms with a site there (firms share
// their sites by the thousand). A firm's places (every region or base it has a site in,
// with the regions around them) are the ids of its sites' chains; its headquarters
// region chain is its head's chain.
// Used by Neo4jStore.company_facts (firm profiles in gaps, targets, plan, chokepoints).
UNWIND $ids AS cid
MATCH (c:Entity {id: cid})
WHERE c:Company
CALL (c) {
  MATCH (c)-[r:MAKES|LOCATED_IN|SUPPLIES]->(x)
  RETURN count(r) AS out,
         count(CASE WHEN r.source = 'unverified' THEN 1 END) AS unverified_out,
         collect(CASE WHEN type(r) = 'MAKES' THEN x.id END) AS made,
         collect(CASE WHEN type(r) = 'SUPPLIES' THEN x.id END) AS supplied,
         collect(CASE WHEN type(r) = 'LOCATED_IN' AND x:Entity THEN x END) AS sites,
         min(CASE WHEN type(r) = 'LOCATED_IN' AND x:Entity AND r.key = '总部' THEN x.id END)
           AS head
}
WITH collect([
       c.id,
       c.type,
       c.props_json,
       CASE WHEN c.props_json IS NULL THEN properties(c) END,
       [site IN sites | site.id],
       head,
       1 + out,
       CASE WHEN c.source = 'unverified' THEN 1 ELSE 0 END + unverified_out,
       COLLECT { UNWIND made AS id RETURN DISTINCT id ORDER BY id },
       COLLECT { UNWIND supplied AS id RETURN DISTINCT id ORDER BY id }
     ]) AS firms,
     collect(sites) AS site_lists
RETURN firms,
       COLLECT {
         UNWIND site_lists AS sites
         UNWIND sites AS site
         WITH DISTINCT site
         CALL (site) {
           MATCH path = (site)-[:IN*0..20]->(place:Entity)
           WITH place, min(length(path)) AS distance
           ORDER BY distance, place.id
           RETURN collect({id: place.id, level: place.level, gba: coalesce(place.gba, false),
                           name: coalesce(place.name, place.id)}) AS places
         }
         RETURN [site.id, places]
       } AS chains
