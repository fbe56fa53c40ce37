// Decoding Data.db: partitions and their unfiltereds (rows and range tombstone
// markers) in on-disk order, streaming from a DataInput.
// See reader/FORMAT.md, section "Data.db". Written by Cassandra's
// UnfilteredSerializer / ColumnIndex / SSTableWriter (BigTableWriter).
//
// Contract:
//  - Usage:
//      PartitionIterator it(input, columns);
//      for (it.SeekToFirst(); it.Valid(); it.NextPartition()) {
//        const PartitionHeader& p = it.partition();
//        for (it.StartRows(); it.RowValid(); it.NextRow()) {
//          const Unfiltered& u = it.unfiltered();
//        }
//      }
//      if (!it.status().ok()) ...   // sticky: checked once after the loops
//  - The static row, when the partition has one, is the first unfiltered.
//  - NextPartition() skips whatever rows of the current partition were not
//    read.
//  - Seek(offset) positions at the partition starting at `offset` (from
//    Index.db); the partition must start there or the status turns corrupt.
//  - References returned by partition()/unfiltered() are valid until the next
//    call that advances the iterator.
//  - On corruption the iterator stops (Valid() and RowValid() turn false) with
//    a kCorruption status naming file, offset and reason. It never loops
//    forever and never allocates more than the bytes present in the file.
#ifndef SSTABLEFS_READER_DATA_FILE_H_
#define SSTABLEFS_READER_DATA_FILE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "reader/columns.h"
#include "reader/data_input.h"
#include "reader/status.h"
#include "reader/unfiltered.h"
#include "reader/version.h"

namespace sstablefs::reader {

class PartitionIterator {
 public:
  // `input` and `columns` must outlive the iterator.
  PartitionIterator(DataInput* input, const Columns* columns, Version version);
  ~PartitionIterator();
  PartitionIterator(const PartitionIterator&) = delete;
  PartitionIterator& operator=(const PartitionIterator&) = delete;

  void SeekToFirst();
  void Seek(uint64_t partition_offset);
  bool Valid() const;
  void NextPartition();
  // REQUIRES: Valid().
  const PartitionHeader& partition() const;

  void StartRows();
  bool RowValid() const;
  void NextRow();
  // REQUIRES: RowValid().
  const Unfiltered& unfiltered() const;

  const Status& status() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_DATA_FILE_H_
