#include "tools/gen/codec.h"

#include <bit>
#include <cstring>

namespace sstablefs::gen {

void PutU8(uint8_t v, std::string* out) {
  out->push_back(static_cast<char>(v));
}

void PutU16(uint16_t v, std::string* out) {
  char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(b, 2);
}

void PutU32(uint32_t v, std::string* out) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (24 - 8 * i));
  out->append(b, 4);
}

void PutU64(uint64_t v, std::string* out) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (56 - 8 * i));
  out->append(b, 8);
}

void PutFloat(float v, std::string* out) {
  PutU32(std::bit_cast<uint32_t>(v), out);
}

void PutDouble(double v, std::string* out) {
  PutU64(std::bit_cast<uint64_t>(v), out);
}

void PutUnsignedVInt(uint64_t v, std::string* out) {
  // n bytes hold 7n value bits (the first byte's leading ones count the
  // extra bytes) up to 8 bytes; 9 bytes (first byte 0xFF) hold 64 bits.
  int bits = 64 - std::countl_zero(v | 1);
  int size = bits > 56 ? 9 : (bits + 6) / 7;
  if (size == 1) {
    PutU8(static_cast<uint8_t>(v), out);
    return;
  }
  char b[9];
  for (int i = size - 1; i >= 0; --i) {
    b[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  uint8_t mask = static_cast<uint8_t>(0xff << (9 - size));
  b[0] = static_cast<char>(static_cast<uint8_t>(b[0]) | mask);
  out->append(b, size);
}

void PutVInt(int64_t v, std::string* out) {
  uint64_t zigzag =
      (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  PutUnsignedVInt(zigzag, out);
}

void PutDate(int32_t days_since_epoch, std::string* out) {
  PutU32(static_cast<uint32_t>(days_since_epoch) + 0x80000000u, out);
}

void PutVarint(int64_t v, std::string* out) {
  // Minimal two's complement: drop leading bytes that only repeat the sign.
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (56 - 8 * i));
  int start = 0;
  while (start < 7) {
    uint8_t lead = static_cast<uint8_t>(b[start]);
    uint8_t next = static_cast<uint8_t>(b[start + 1]);
    if ((lead == 0 && !(next & 0x80)) || (lead == 0xff && (next & 0x80))) {
      ++start;
    } else {
      break;
    }
  }
  out->append(b + start, 8 - start);
}

void PutDecimal(int32_t scale, int64_t unscaled, std::string* out) {
  PutI32(scale, out);
  PutVarint(unscaled, out);
}

void PutDuration(int32_t months, int32_t days, int64_t nanos,
                 std::string* out) {
  PutVInt(months, out);
  PutVInt(days, out);
  PutVInt(nanos, out);
}

void PutUuidV4(uint64_t hi, uint64_t lo, std::string* out) {
  hi = (hi & ~0xf000ULL) | 0x4000ULL;        // version 4
  lo = (lo & ~(3ULL << 62)) | (2ULL << 62);  // IETF variant
  PutU64(hi, out);
  PutU64(lo, out);
}

void PutRandomUuid(Rng* rng, std::string* out) {
  uint64_t hi = rng->Next();
  PutUuidV4(hi, rng->Next(), out);
}

void PutTimeUuid(int64_t unix_micros, uint64_t node_bits, std::string* out) {
  // 100 ns intervals since 1582-10-15 (the Gregorian epoch).
  uint64_t t = static_cast<uint64_t>(unix_micros) * 10 + 0x01B21DD213814000ULL;
  uint64_t hi = ((t & 0xffffffffULL) << 32) | (((t >> 32) & 0xffff) << 16) |
                0x1000 | ((t >> 48) & 0x0fff);
  uint64_t lo = (node_bits & ~(3ULL << 62)) | (2ULL << 62);
  PutU64(hi, out);
  PutU64(lo, out);
}

void PutElement(std::string_view bytes, std::string* out) {
  PutI32(static_cast<int32_t>(bytes.size()), out);
  out->append(bytes);
}

void PutNullElement(std::string* out) { PutI32(-1, out); }

std::string FrozenCollection(const std::vector<std::string>& elements) {
  std::string out;
  PutI32(static_cast<int32_t>(elements.size()), &out);
  for (const std::string& e : elements) PutElement(e, &out);
  return out;
}

std::string FrozenMap(
    const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out;
  PutI32(static_cast<int32_t>(entries.size()), &out);
  for (const auto& [k, v] : entries) {
    PutElement(k, &out);
    PutElement(v, &out);
  }
  return out;
}

std::string CompositeKey(const std::vector<std::string>& components) {
  std::string out;
  for (const std::string& c : components) {
    PutU16(static_cast<uint16_t>(c.size()), &out);
    out += c;
    PutU8(0, &out);
  }
  return out;
}

std::string CounterContext(const std::vector<CounterShardSpec>& shards) {
  // Header: count, then per global shard its index + Short.MIN_VALUE.
  std::string out;
  PutU16(static_cast<uint16_t>(shards.size()), &out);
  for (size_t i = 0; i < shards.size(); ++i) {
    PutU16(static_cast<uint16_t>(static_cast<int>(i) - 32768), &out);
  }
  for (const CounterShardSpec& s : shards) {
    out += s.counter_id;
    PutI64(s.clock, &out);
    PutI64(s.count, &out);
  }
  return out;
}

void PutRandomText(Rng* rng, int min_len, int max_len, std::string* out) {
  static constexpr char kChars[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789  ";
  int len = static_cast<int>(rng->Range(min_len, max_len));
  uint64_t bits = 0;
  for (int i = 0; i < len; ++i) {
    if (i % 10 == 0) bits = rng->Next();
    out->push_back(kChars[bits & 63]);
    bits >>= 6;
  }
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

}  // namespace sstablefs::gen
