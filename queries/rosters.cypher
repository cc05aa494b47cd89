// rosters: the local firms kept for some places (chaingraph.store.neo4j.rosters): per
// (place, segment), (place, tag) and (place, rank), the makers with a site in the place.
//
// Parameters
//   $keys   roster keys: place id, kind ('seg', 'tag' or 'rank') and segment id, tag or
//           '' joined by U+001F, e.g. 'region:cn-dongguan' + U+001F + 'tag' + U+001F + '链主'
// Returns one row per roster found (a key with none has no such firm):
//   key
//   ids, names   (kind 'seg') the firms' ids, sorted, and their names: JSON lists, zlib-compressed
//   facts        (kind 'seg') one byte per firm: its best MAKES fact into the segment's
//                products, 3 × verified + grade (strong 2, medium 1, weak 0)
//   entries      (kinds 'tag', 'rank') zlib-compressed JSON list of [id, name, global rank or null,
//                products it makes], sorted by id
// Used by Neo4jStore.segment_coverage (the leaders among the local firms) and
// Neo4jStore.leader_inputs (the local leaders and what they make).
UNWIND $keys AS k
MATCH (r:CgRoster {key: k})
RETURN r.key AS key, r.ids AS ids, r.names AS names, r.facts AS facts, r.entries AS entries
