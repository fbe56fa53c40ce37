#include "reader/byte_reader.h"

#include <bit>
#include <cstring>

namespace sstablefs::reader {

std::string ByteView::ToHex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size_ * 2, '0');
  for (size_t i = 0; i < size_; ++i) {
    out[2 * i] = kDigits[data_[i] >> 4];
    out[2 * i + 1] = kDigits[data_[i] & 0xf];
  }
  return out;
}

namespace {

template <typename T>
bool ReadBigEndian(ByteView view, size_t* pos, T* v) {
  if (view.size() - *pos < sizeof(T)) return false;
  T x = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    x = static_cast<T>((x << 8) | view[*pos + i]);
  }
  *v = x;
  *pos += sizeof(T);
  return true;
}

}  // namespace

bool ByteReader::ReadU8(uint8_t* v) { return ReadBigEndian(view_, &pos_, v); }
bool ByteReader::ReadU16(uint16_t* v) { return ReadBigEndian(view_, &pos_, v); }
bool ByteReader::ReadU32(uint32_t* v) { return ReadBigEndian(view_, &pos_, v); }
bool ByteReader::ReadU64(uint64_t* v) { return ReadBigEndian(view_, &pos_, v); }

bool ByteReader::ReadI32(int32_t* v) {
  uint32_t u;
  if (!ReadU32(&u)) return false;
  *v = static_cast<int32_t>(u);
  return true;
}

bool ByteReader::ReadI64(int64_t* v) {
  uint64_t u;
  if (!ReadU64(&u)) return false;
  *v = static_cast<int64_t>(u);
  return true;
}

bool ByteReader::ReadF64(double* v) {
  uint64_t u;
  if (!ReadU64(&u)) return false;
  *v = std::bit_cast<double>(u);
  return true;
}

bool ByteReader::ReadBool(bool* v) {
  uint8_t b;
  if (!ReadU8(&b)) return false;
  *v = b != 0;
  return true;
}

int VIntSizeFromFirstByte(uint8_t first_byte) {
  // Number of leading one bits = number of extra bytes.
  return 1 + std::countl_one(first_byte);
}

bool ByteReader::ReadUnsignedVInt(uint64_t* v) {
  if (AtEnd()) return false;
  uint8_t first = view_[pos_];
  int size = VIntSizeFromFirstByte(first);
  if (remaining() < static_cast<size_t>(size)) return false;
  int extra = size - 1;
  // Bits of the first byte that belong to the value (none when extra == 8).
  uint64_t value = extra >= 7 ? 0 : (first & (0xffu >> (extra + 1)));
  for (int i = 1; i <= extra; ++i) value = (value << 8) | view_[pos_ + i];
  *v = value;
  pos_ += size;
  return true;
}

bool ByteReader::ReadVInt(int64_t* v) {
  uint64_t u;
  if (!ReadUnsignedVInt(&u)) return false;
  *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));  // zig-zag decode
  return true;
}

bool ByteReader::ReadUnsignedVInt32(uint32_t* v) {
  size_t saved = pos_;
  uint64_t u;
  if (!ReadUnsignedVInt(&u)) return false;
  if (u > UINT32_MAX) {
    pos_ = saved;
    return false;
  }
  *v = static_cast<uint32_t>(u);
  return true;
}

bool ByteReader::Skip(size_t n) {
  if (remaining() < n) return false;
  pos_ += n;
  return true;
}

bool ByteReader::ReadBytes(size_t n, ByteView* out) {
  if (remaining() < n) return false;
  *out = view_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool ByteReader::ReadShortLengthBytes(ByteView* out) {
  size_t saved = pos_;
  uint16_t len;
  if (!ReadU16(&len) || !ReadBytes(len, out)) {
    pos_ = saved;
    return false;
  }
  return true;
}

bool ByteReader::ReadIntLengthBytes(ByteView* out) {
  size_t saved = pos_;
  int32_t len;
  if (!ReadI32(&len) || len < 0 || !ReadBytes(static_cast<size_t>(len), out)) {
    pos_ = saved;
    return false;
  }
  return true;
}

bool ByteReader::ReadVIntLengthBytes(ByteView* out) {
  size_t saved = pos_;
  uint64_t len;
  if (!ReadUnsignedVInt(&len) || len > remaining() ||
      !ReadBytes(static_cast<size_t>(len), out)) {
    pos_ = saved;
    return false;
  }
  return true;
}

bool ByteReader::ReadUTF(std::string* out) {
  ByteView bytes;
  if (!ReadShortLengthBytes(&bytes)) return false;
  *out = bytes.ToString();
  return true;
}

void AppendUnsignedVInt(std::string* out, uint64_t v) {
  // Smallest size whose value bits hold v: size n carries 7n bits for n <= 8
  // (first byte contributes 8-n bits), and 64 bits for n == 9.
  int size = 1;
  while (size < 9 && (size == 8 ? (v >> 56) != 0 : (v >> (7 * size)) != 0)) {
    ++size;
  }
  if (size == 9) {
    out->push_back(static_cast<char>(0xff));
    for (int i = 7; i >= 0; --i)
      out->push_back(static_cast<char>(v >> (8 * i)));
    return;
  }
  int extra = size - 1;
  uint8_t first = static_cast<uint8_t>(v >> (8 * extra));
  first |= static_cast<uint8_t>(~(0xffu >> extra));  // leading ones
  out->push_back(static_cast<char>(first));
  for (int i = extra - 1; i >= 0; --i) {
    out->push_back(static_cast<char>(v >> (8 * i)));
  }
}

void AppendVInt(std::string* out, int64_t v) {
  uint64_t zz =
      (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  AppendUnsignedVInt(out, zz);
}

void AppendU16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}

void AppendU32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}

void AppendU64(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}

}  // namespace sstablefs::reader
