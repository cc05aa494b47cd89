// economy_counts: the economy a segment's local share is measured against -- how many
// firms make any product with a site inside the area, in China, and anywhere.
//
// Parameters
//   $area   id of the Region or Base that counts as local ('' for none)
// Returns one row:
//   keys       the site keys of the database (see ring_makers.cypher)
//   inside     ids of the places inside $area (it and every place reaching it through
//              IN, at most 20 hops); empty when $area is '' or unknown
//   ring_keys, ring_makers   per site key (index into keys), how many firms making a
//              product have that site key (unsigned 32-bit little-endian numbers)
//   national   firms making a product with a site in China (region:cn)
//   total      every firm making a product
// Used by Neo4jStore.economy_counts (gaps: location quotient, expected local firms),
// which adds up the makers of the site keys with a site inside $area.
//
// Nothing here grows with the firms: the national and total counts are the labels
// CgNationalMaker and CgMaker (read from Neo4j's count store), the rest is kept on the
// stamp node by chaingraph.store.neo4j.derived.
OPTIONAL MATCH (m:ChaingraphDerived)
WITH m ORDER BY m.version DESC LIMIT 1
OPTIONAL MATCH (area:Entity {id: $area})
WITH m, COLLECT { MATCH (area)<-[:IN*0..20]-(place:Entity) RETURN DISTINCT place.id } AS inside
CALL () { MATCH (firm:CgNationalMaker) RETURN count(firm) AS national }
CALL () { MATCH (firm:CgMaker) RETURN count(firm) AS total }
RETURN coalesce(m.sitekeys, []) AS keys, inside, m.ring_keys AS ring_keys,
       m.ring_makers AS ring_makers, national, total
