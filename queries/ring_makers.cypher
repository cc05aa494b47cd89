// ring_makers: what counting the makers of segments in rings of places takes (gaps: the
// rings around a base: its town, the city, the metro area's cities, the Greater Bay Area's).
//
// Parameters
//   $segments  list of Segment ids
//   $rings     list of rings, each a list of Region or Base ids
// Returns one row:
//   keys       the site keys of the database (chaingraph.store.neo4j.derived: the
//              sorted ids of a firm's LOCATED_IN targets, joined by U+001F)
//   rings      per ring, in the order of $rings: the ids of the places inside it
//              (each of its places and every place reaching one through IN, at most
//              20 hops: a firm is inside when one of its sites is)
//   segments   per segment found: [id, site key indexes, makers with that site key]
//              (cg_ring_keys and cg_ring_makers: unsigned 32-bit little-endian numbers)
// Used by Neo4jStore.ring_makers, which adds up, per ring, the makers of each site key
// with a site inside it: exact (a firm has one site key), and proportional to the
// places and site keys, never to the firms.
OPTIONAL MATCH (m:ChaingraphDerived)
WITH m ORDER BY m.version DESC LIMIT 1
CALL () {
  UNWIND range(0, size($rings) - 1) AS ring
  CALL (ring) {
    UNWIND $rings[ring] AS pid
    MATCH (:Entity {id: pid})<-[:IN*0..20]-(place:Entity)
    RETURN collect(DISTINCT place.id) AS inside
  }
  RETURN collect([ring, inside]) AS rings
}
CALL () {
  UNWIND $segments AS sid
  MATCH (s:Entity {id: sid})
  WHERE s:Segment
  RETURN collect([s.id, s.cg_ring_keys, s.cg_ring_makers]) AS segments
}
RETURN coalesce(m.sitekeys, []) AS keys, rings, segments
