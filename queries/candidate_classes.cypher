// candidate_classes: the products of some segments and their makers' classes, kept by
// chaingraph.store.neo4j.candidates (makers with the same tags, top rank, board and
// whether a revenue is given; chaingraph.store.candidates).
//
// Parameters
//   $segments  list of Segment ids
// Returns one row per (segment, product) of the segment's products (cg_members: those
// IN_SEGMENT it or a segment of the same name, and those named as it):
//   segment, product
//   classes    [class key, makers, revenue of the first maker of each page] per class
//              (none for a product nobody makes)
// Used by Neo4jStore.candidate_classes (targets: makers read a page at a time, best
// score bound first, with candidate_pages).
UNWIND $segments AS sid
MATCH (s:Entity {id: sid}) WHERE s:Segment
UNWIND coalesce(s.cg_members, []) AS pid
RETURN sid AS segment,
       pid AS product,
       COLLECT { MATCH (c:CgCandidates {product: pid}) RETURN [c.cls, c.count, c.tops] } AS classes
