// Descriptor: what an SSTable component's file name says about it.
// See reader/FORMAT.md, section "File names and TOC.txt".
//
// Names Cassandra writes (Descriptor.fromFilename):
//   <version>-<generation>-<format>-<Component>   e.g. nb-1-big-Data.db,
//       nb-3gsm_0lob_1zdg02we44my8dy25w-big-Data.db (UUID-style generation),
//       na-1-bti-Partitions.db
//   <ks>-<table>-<version>-<generation>-<Component>   (legacy, ka and older)
//   <version>-<generation>-<Component> was never written for m*/n*: rejected.
// Temporary files carry a "tmp-" / "tmplink-" prefix and are reported as such.
#ifndef SSTABLEFS_READER_DESCRIPTOR_H_
#define SSTABLEFS_READER_DESCRIPTOR_H_

#include <string>
#include <string_view>
#include <vector>

#include "reader/status.h"
#include "reader/version.h"

namespace sstablefs::reader {

struct Descriptor {
  std::string directory;  // folder holding the components ("." if none given)
  std::string keyspace;   // from a legacy name, else from the folders if known
  std::string table;      // likewise (without the -<id> suffix)
  Version version;
  std::string generation;  // "1", "3gsm_0lob_1zdg02we44my8dy25w"
  std::string format;      // "big" or "bti" ("big" for legacy names)
  bool legacy_name = false;
  bool temporary = false;        // "tmp-" or "tmplink-" prefix
  std::string temporary_marker;  // "tmp" or "tmplink" when temporary

  // The file-name prefix shared by all components: "nb-1-big",
  // "ks-t-ka-1", "tmp-nb-2-big".
  std::string prefix() const;
  // directory + "/" + prefix() + "-" + component ("Data.db", "TOC.txt", ...).
  std::string ComponentPath(std::string_view component) const;
  // True for the m*/n* "big" formats this library reads.
  bool IsReadable() const;
};

// Parses the path of any component. kInvalidArgument when the name is not an
// SSTable component name.
Result<Descriptor> ParseDescriptor(const std::string& path);

// The component part of a file name ("Data.db" for ".../nb-1-big-Data.db"),
// or empty when the name is not an SSTable component.
std::string ComponentOf(std::string_view file_name);

// All SSTables in one folder (not recursive), one Descriptor per distinct
// prefix, sorted by version then generation. Files that are not SSTable
// components are ignored.
Result<std::vector<Descriptor>> ListSSTables(const std::string& directory);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_DESCRIPTOR_H_
