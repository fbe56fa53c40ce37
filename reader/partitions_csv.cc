// partitions.csv (table.h, SPEC §2): one RFC 4180 line per merged partition.
#include <string>

#include "reader/partition_name.h"
#include "reader/table.h"

namespace sstablefs::reader {
namespace {

// RFC 4180: a field holding a comma, quote or line break is quoted, with
// quotes doubled.
void AppendCsvField(std::string_view v, std::string* out) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (char c : v) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace

std::string PartitionsCsvHeader() {
  return "key,token,sstables,rows,bytes,partition_tombstones,"
         "range_tombstones,row_tombstones,cell_tombstones\n";
}

void AppendPartitionsCsvLine(const Table& table, const PartitionSummary& p,
                             std::string* out) {
  const ByteView key(p.key);
  if (!table.sstables().empty()) {
    AppendCsvField(
        PartitionKeyText(*table.sstables()[0]->columns().key_type, key), out);
  }
  out->push_back(',');
  AppendCsvField(
      table.partitioner().TokenToString(table.partitioner().GetToken(key)),
      out);
  out->push_back(',');
  std::string names;
  for (uint32_t i : p.sstables) {
    if (i >= table.sstables().size()) continue;
    if (!names.empty()) names.push_back(' ');
    names += table.sstables()[i]->descriptor().prefix();
  }
  AppendCsvField(names, out);
  for (uint64_t n : {p.live_rows, p.bytes, p.partition_tombstones,
                     p.range_tombstones, p.row_tombstones, p.cell_tombstones}) {
    out->push_back(',');
    out->append(std::to_string(n));
  }
  out->push_back('\n');
}

}  // namespace sstablefs::reader
