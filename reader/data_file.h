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
//    An empty static row (Cassandra writes one into every partition of a
//    table with static columns) is not reported.
//  - StartRows() (re)starts at the first unfiltered of the current partition;
//    rows are only decoded when asked for. NextPartition() frames whatever
//    rows were not read by their size fields, without decoding their cells.
//  - Seek(offset) positions at the partition starting at `offset` (from
//    Index.db); the partition must start there or the status turns corrupt.
//    Seek()/SeekToFirst() clear a previous error status. Empty data is
//    corrupt (Cassandra never writes an SSTable without a partition).
//  - Lifetimes: partition().key is owned by the iterator and valid until the
//    next NextPartition()/Seek*(). unfiltered() and every ByteView in it
//    point into the DataInput's window: valid until the next call that
//    advances the iterator (NextRow, StartRows, NextPartition, Seek*).
//  - On corruption the iterator stops (Valid() and RowValid() turn false) with
//    a kCorruption status naming file, offset and reason: a declared row or
//    marker size that disagrees with its content, a column subset naming
//    columns the header does not have, a bound with more values than the
//    table has clustering columns, a length past the end of the data, a
//    partition without its end-of-partition flag, a static row that is not
//    first. Errors of the DataInput (checksums, I/O) are passed through.
//  - It never loops forever and never allocates more than the bytes present
//    in the file (windows are requested only after a length was checked
//    against the bytes left).
//  - Not thread-safe; one iterator per thread (each with its own DataInput).
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
  // `input` and `columns` must outlive the iterator. Every supported version
  // (ma..nb) shares one row format; `version` is kept for future ones.
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
