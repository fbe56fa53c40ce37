// metadata.json of the mount's sstables/<descriptor>/ folder (SPEC §2): what
// sstablemetadata would print about one SSTable — version, partitioner,
// Statistics.db (stats and serialization header), CompressionInfo.db, TOC.txt
// and the size of every component file — as one pretty-printed JSON object.
//
// Contract:
//  - Reads only the small components itself (TOC.txt, Statistics.db,
//    CompressionInfo.db) and stat()s the component files; Data.db and
//    Index.db are never read. So it works for an SSTable whose data is
//    damaged (the point: see what is left), and for formats the row reader
//    does not support (only what decodes is shown).
//  - Never fails: a component that cannot be read or decoded becomes an
//    entry of the "errors" array (SPEC §6 message) and its section is null.
//  - Deterministic: the same files give the same bytes (keys in a fixed
//    order, no clock). Ends with a newline.
//  - Thread-safe (no shared state).
#ifndef SSTABLEFS_READER_METADATA_JSON_H_
#define SSTABLEFS_READER_METADATA_JSON_H_

#include <string>
#include <vector>

#include "reader/descriptor.h"

namespace sstablefs::reader {

// `extra_warnings` (e.g. SSTable::warnings() of an opened SSTable) are added
// to the "warnings" array after the TOC comparison's own findings.
std::string RenderMetadataJson(const Descriptor& d,
                               const std::vector<std::string>& extra_warnings);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_METADATA_JSON_H_
