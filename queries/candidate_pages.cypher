// candidate_pages: pages of a product's makers in one class, kept by
// chaingraph.store.neo4j.candidates (sorted by revenue, largest first, then by id).
//
// Parameters
//   $keys  page keys: product id, class key and page number joined by U+001F
// Returns one row:
//   rows   per page found: [key, ids, revenues] -- ids as zlib-compressed JSON, and their
//          revenues (0.0 when none) in the same order
// Used by Neo4jStore.candidate_pages (targets).
UNWIND $keys AS k
MATCH (c:CgCandidatePage {key: k})
RETURN collect([k, c.ids, c.revenues]) AS rows
