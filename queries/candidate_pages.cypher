// candidate_pages: pages of a product's makers in one class, kept by
// chaingraph.store.neo4j.candidates (sorted by revenue, largest first, then by id).
//
// Parameters
//   $keys  page keys: product id, class key and page number joined by U+001F
// Returns one row per page found:
//   key
//   ids       the page's firm ids, as zlib-compressed JSON
//   revenues  their revenues (0.0 when none), in the same order
// Used by Neo4jStore.candidate_pages (targets).
UNWIND $keys AS k
MATCH (c:CgCandidatePage {key: k})
RETURN k AS key, c.ids AS ids, c.revenues AS revenues
