// DataInput: sequential access to the *uncompressed* bytes of a Data.db, with
// a contiguous look-ahead window so decoders can parse from a ByteReader.
// See reader/FORMAT.md, sections "CompressionInfo.db" and "CRC.db".
//
// Contract:
//  - Peek(n) returns a view of at least min(n, size() - position()) contiguous
//    bytes starting at position(); it may return more (the rest of the current
//    chunk). The view stays valid until the next non-const call.
//  - Growing a window past a chunk boundary copies into an internal buffer
//    whose size is bounded by the bytes actually present in the file, never by
//    a length read from disk.
//  - Implementations verify chunk checksums on read (compressed: the CRC32
//    after each chunk; uncompressed: CRC.db when present) and report a mismatch
//    as kCorruption naming the file, chunk index and offset.
//  - Not thread-safe; open one DataInput per reader thread. The chunk cache
//    behind it is shared and thread-safe.
#ifndef SSTABLEFS_READER_DATA_INPUT_H_
#define SSTABLEFS_READER_DATA_INPUT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "reader/byte_view.h"
#include "reader/status.h"

namespace sstablefs::reader {

class DataInput {
 public:
  virtual ~DataInput() = default;
  // Uncompressed length of the data.
  virtual uint64_t size() const = 0;
  virtual uint64_t position() const = 0;
  // REQUIRES: pos <= size().
  virtual Status Seek(uint64_t pos) = 0;
  virtual Result<ByteView> Peek(size_t n) = 0;
  // Advances by n bytes; error when fewer remain.
  virtual Status Skip(size_t n) = 0;
  // The file these bytes come from, for error messages.
  virtual const std::string& path() const = 0;
};

// A DataInput over bytes in memory (tests, fuzzers, tiny files). Copies `data`.
std::unique_ptr<DataInput> NewMemoryDataInput(std::string data,
                                              std::string path);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_DATA_INPUT_H_
