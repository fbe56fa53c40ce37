// SplitTable (reader/table.h): cut points of the merged table for parallel
// passes, found through the partition indexes.
#include <algorithm>
#include <optional>

#include "reader/big/partition_index.h"
#include "reader/sstable.h"
#include "reader/table.h"

namespace sstablefs::reader {
namespace {

// The Data.db position of `sstable`'s first partition at or after `key` in
// partition order (token, then key bytes), or kCursorExhausted. The entry
// found is confirmed against Data.db (FindPartition checks the key stored
// there), so a damaged Index.db fails here instead of cutting the table at a
// wrong place.
Result<uint64_t> LowerBound(const SSTable& sstable, const PartitionIndex& index,
                            const Partitioner& partitioner, ByteView key,
                            const Token& token) {
  const IndexSummary* summary = index.summary();
  const int64_t floor = summary->FindFloor(partitioner, token, key);
  const uint64_t start = floor < 0 ? 0 : summary->index_position(floor);
  std::unique_ptr<IndexFileReader> reader = index.NewReader(start);
  IndexEntry entry;
  while (true) {
    SSTFS_ASSIGN_OR_RETURN(bool more,
                           reader->Next(&entry, /*with_promoted_index=*/false));
    if (!more) return kCursorExhausted;
    const ByteView entry_key(std::string_view(entry.key));
    int c = partitioner.CompareTokens(partitioner.GetToken(entry_key), token);
    if (c == 0) c = entry_key.Compare(key);
    if (c < 0) continue;
    SSTFS_ASSIGN_OR_RETURN(std::optional<uint64_t> confirmed,
                           sstable.FindPartition(entry_key));
    if (confirmed != entry.data_position) {
      return Status::Corruption(index.index_path(), entry.index_position,
                                "entry does not lead to its partition");
    }
    return entry.data_position;
  }
}

}  // namespace

Result<std::vector<TableCursor>> SplitTable(const Table& table, size_t parts,
                                            uint64_t min_piece_bytes) {
  const auto& sstables = table.sstables();
  std::vector<TableCursor> cuts(1);
  cuts[0].data_positions.assign(sstables.size(), 0);
  uint64_t total = 0;
  const SSTable* largest = nullptr;
  std::vector<const PartitionIndex*> indexes;
  for (const auto& t : sstables) {
    // An SSTable in another partitioner's order cannot be cut by key.
    if (!(t->partitioner() == table.partitioner())) return cuts;
    Result<const PartitionIndex*> index = t->index();
    if (!index.ok() || (*index)->summary() == nullptr) return cuts;
    indexes.push_back(*index);
    total += t->data_file_size();
    if (largest == nullptr || t->data_file_size() > largest->data_file_size()) {
      largest = t.get();
    }
  }
  parts =
      std::min<uint64_t>(parts, total / std::max<uint64_t>(1, min_piece_bytes));
  if (parts < 2 || largest == nullptr) return cuts;

  SSTFS_ASSIGN_OR_RETURN(const PartitionIndex* sampled, largest->index());
  const IndexSummary& summary = *sampled->summary();
  const Partitioner& partitioner = table.partitioner();
  for (size_t piece = 1; piece < parts; ++piece) {
    const size_t sample = summary.size() * piece / parts;
    if (sample == 0 || sample >= summary.size()) continue;
    const ByteView key = summary.key(sample);
    const Token token = partitioner.GetToken(key);
    TableCursor cut;
    for (size_t i = 0; i < sstables.size(); ++i) {
      SSTFS_ASSIGN_OR_RETURN(uint64_t pos, LowerBound(*sstables[i], *indexes[i],
                                                      partitioner, key, token));
      cut.data_positions.push_back(pos);
    }
    // Equal cuts (few samples) would make an empty piece.
    if (cut != cuts.back()) cuts.push_back(std::move(cut));
  }
  return cuts;
}

}  // namespace sstablefs::reader
