// TOC.txt: the list of an SSTable's components, one name per line
// (e.g. "Data.db", "CompressionInfo.db"). Written by SSTable.appendTOC /
// TOCComponent. See reader/FORMAT.md, section "File names and TOC.txt".
#ifndef SSTABLEFS_READER_TOC_H_
#define SSTABLEFS_READER_TOC_H_

#include <string>
#include <vector>

#include "reader/byte_view.h"
#include "reader/status.h"

namespace sstablefs::reader {

// Component names known for the big and BTI formats.
bool IsKnownComponent(std::string_view name);

// Parses TOC.txt content: one component per line, blank lines ignored, CR
// stripped. An empty TOC or a line that is not a plausible component name is
// kCorruption naming `path`.
Result<std::vector<std::string>> ParseToc(ByteView content,
                                          const std::string& path);

// Compares the TOC with the component files present for `prefix` in the
// folder: returns human-readable findings such as
//   "nb-1-big-Filter.db: listed in TOC.txt but missing"
//   "nb-1-big-Scylla.db: present but not listed in TOC.txt"
std::vector<std::string> CompareTocWithFiles(
    const std::vector<std::string>& toc,
    const std::vector<std::string>& present_components,
    const std::string& prefix);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_TOC_H_
