// ByteReader: bounds-checked decoding of Cassandra's on-disk encodings from a
// ByteView (like leveldb's util/coding, but for big-endian Java encodings).
//
// Contract:
//  - Every Read* either succeeds and advances, or fails and leaves the position
//    unchanged. Failures return false (or an empty optional); the caller turns
//    that into a Status naming file, component and offset (see status.h),
//    usually via `Truncated(what)`.
//  - Integers are big-endian (Java DataOutput).
//  - Cassandra's vint (org.apache.cassandra.utils.vint.VIntCoding) is NOT a
//    protobuf varint: the number of leading 1-bits of the first byte is the
//    number of extra bytes (0..8) that follow, big-endian; the remaining bits
//    of the first byte are the most significant bits of the value. Signed vints
//    are zig-zag encoded on top of that.
//  - Length-prefixed reads check the length against the bytes that remain, so
//    a corrupt length can never cause an allocation or an overrun.
#ifndef SSTABLEFS_READER_BYTE_READER_H_
#define SSTABLEFS_READER_BYTE_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "reader/byte_view.h"

namespace sstablefs::reader {

class ByteReader {
 public:
  ByteReader() = default;
  // `base_offset` is the file offset of view[0]; it only feeds offset() so
  // that error messages can name absolute file positions.
  explicit ByteReader(ByteView view, uint64_t base_offset = 0)
      : view_(view), base_offset_(base_offset) {}

  size_t position() const { return pos_; }                 // within the view
  uint64_t offset() const { return base_offset_ + pos_; }  // within the file
  size_t remaining() const { return view_.size() - pos_; }
  bool AtEnd() const { return pos_ == view_.size(); }
  ByteView view() const { return view_; }
  ByteView Rest() const { return view_.substr(pos_); }
  // REQUIRES: pos <= view().size().
  void SetPosition(size_t pos) { pos_ = pos; }

  bool ReadU8(uint8_t* v);
  bool ReadU16(uint16_t* v);
  bool ReadU32(uint32_t* v);
  bool ReadU64(uint64_t* v);
  bool ReadI32(int32_t* v);
  bool ReadI64(int64_t* v);
  bool ReadF64(double* v);  // IEEE-754 bits, big-endian (Java writeDouble)
  bool ReadBool(bool* v);   // one byte, non-zero = true

  // VIntCoding.readUnsignedVInt / readVInt.
  bool ReadUnsignedVInt(uint64_t* v);
  bool ReadVInt(int64_t* v);
  // readUnsignedVInt32: the value must fit in 32 bits (else false).
  bool ReadUnsignedVInt32(uint32_t* v);

  bool Skip(size_t n);
  // The next n bytes as a view into the underlying buffer.
  bool ReadBytes(size_t n, ByteView* out);
  // u16 length + bytes (Java writeShort length, e.g. partition keys).
  bool ReadShortLengthBytes(ByteView* out);
  // i32 length + bytes; a negative length is rejected.
  bool ReadIntLengthBytes(ByteView* out);
  // unsigned vint length + bytes (ByteBufferUtil.writeWithVIntLength).
  bool ReadVIntLengthBytes(ByteView* out);
  // Java DataOutput.writeUTF: u16 length + modified UTF-8 (treated as bytes).
  bool ReadUTF(std::string* out);

 private:
  ByteView view_;
  size_t pos_ = 0;
  uint64_t base_offset_ = 0;
};

// Size in bytes of the unsigned vint whose first byte is `first_byte` (1..9).
int VIntSizeFromFirstByte(uint8_t first_byte);

// Encoders (for the writer, tests and fuzz seeds); append to `out`.
void AppendUnsignedVInt(std::string* out, uint64_t v);
void AppendVInt(std::string* out, int64_t v);
void AppendU16(std::string* out, uint16_t v);
void AppendU32(std::string* out, uint32_t v);
void AppendU64(std::string* out, uint64_t v);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_BYTE_READER_H_
