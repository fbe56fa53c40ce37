// Serialized CQL values for sstablefs-gen: the bytes Cassandra's marshal
// types produce (AbstractType.decompose), appended to a std::string.
//
// Contract: pure functions, no allocation beyond growing `out`; big-endian
// as on disk. Collections use the native protocol v3+ layout that frozen
// collections are stored in (int32 count, int32-length-prefixed elements).
#ifndef SSTABLEFS_TOOLS_GEN_CODEC_H_
#define SSTABLEFS_TOOLS_GEN_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/gen/prng.h"

namespace sstablefs::gen {

void PutU8(uint8_t v, std::string* out);
void PutU16(uint16_t v, std::string* out);
void PutU32(uint32_t v, std::string* out);
void PutU64(uint64_t v, std::string* out);
inline void PutI32(int32_t v, std::string* out) {
  PutU32(static_cast<uint32_t>(v), out);
}
inline void PutI64(int64_t v, std::string* out) {
  PutU64(static_cast<uint64_t>(v), out);
}
void PutFloat(float v, std::string* out);
void PutDouble(double v, std::string* out);
// Cassandra's unsigned vint (VIntCoding.writeUnsignedVInt) and the signed
// zig-zag form (writeVInt).
void PutUnsignedVInt(uint64_t v, std::string* out);
void PutVInt(int64_t v, std::string* out);

// SimpleDateType: days since 1970-01-01 shifted by 2^31, as uint32.
void PutDate(int32_t days_since_epoch, std::string* out);
// IntegerType (varint): minimal two's-complement big-endian bytes.
void PutVarint(int64_t v, std::string* out);
// DecimalType: int32 scale, then the unscaled value as a varint.
void PutDecimal(int32_t scale, int64_t unscaled, std::string* out);
// DurationType: signed vints months, days, nanoseconds.
void PutDuration(int32_t months, int32_t days, int64_t nanos, std::string* out);
// A random version-4 UUID.
void PutRandomUuid(Rng* rng, std::string* out);
// A version-1 (time) UUID for `unix_micros`, with clock sequence and node
// from `node_bits`. Time UUIDs of increasing time compare increasing.
void PutTimeUuid(int64_t unix_micros, uint64_t node_bits, std::string* out);
// A 16-byte UUID from two 64-bit halves, version 4 bits forced.
void PutUuidV4(uint64_t hi, uint64_t lo, std::string* out);

// Length-prefixed element (int32 length, bytes) as inside collections,
// tuples and UDTs; a negative length (null) when `null`.
void PutElement(std::string_view bytes, std::string* out);
void PutNullElement(std::string* out);
// A frozen list/set from serialized elements (the caller orders set
// elements), or a frozen map from serialized key/value pairs (ordered).
std::string FrozenCollection(const std::vector<std::string>& elements);
std::string FrozenMap(
    const std::vector<std::pair<std::string, std::string>>& entries);

// CompositeType (multi-column partition keys): per component u16 length,
// bytes, end-of-component byte 0.
std::string CompositeKey(const std::vector<std::string>& components);

// A CounterContext with one global shard per (counter id, clock, count),
// ids given as 16-byte strings in increasing byte order.
struct CounterShardSpec {
  std::string counter_id;  // 16 bytes
  int64_t clock = 0;
  int64_t count = 0;
};
std::string CounterContext(const std::vector<CounterShardSpec>& shards);

// Random printable text of `min_len`..`max_len` bytes (ASCII letters,
// digits and spaces).
void PutRandomText(Rng* rng, int min_len, int max_len, std::string* out);
std::string ToHex(std::string_view bytes);

}  // namespace sstablefs::gen

#endif  // SSTABLEFS_TOOLS_GEN_CODEC_H_
