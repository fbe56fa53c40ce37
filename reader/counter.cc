#include "reader/counter.h"

#include <cstdlib>
#include <string>

#include "reader/byte_reader.h"

namespace sstablefs::reader {
namespace {

constexpr size_t kShardLength = 16 + 8 + 8;  // counter id, clock, count

// Validates the header and returns its length (2 + 2 * abs(n)) in *len.
Status HeaderLength(ByteView context, size_t* len) {
  ByteReader r(context);
  uint16_t raw;
  if (!r.ReadU16(&raw)) {
    return Status::Corruption("counter context shorter than its header");
  }
  int n = std::abs(static_cast<int>(static_cast<int16_t>(raw)));
  *len = 2 + 2 * static_cast<size_t>(n);
  if (*len > context.size() || (context.size() - *len) % kShardLength != 0) {
    return Status::Corruption("counter context of " +
                              std::to_string(context.size()) +
                              " bytes does not fit " + std::to_string(n) +
                              " header elements and 32-byte shards");
  }
  return Status::Ok();
}

}  // namespace

Result<int64_t> CounterValue(ByteView context) {
  if (context.empty()) return int64_t{0};
  size_t header_len;
  SSTFS_RETURN_IF_ERROR(HeaderLength(context, &header_len));
  uint64_t total = 0;  // unsigned: Java long overflow wraps
  ByteReader r(context.substr(header_len));
  while (!r.AtEnd()) {
    uint64_t count;
    // Cannot fail: the length is a multiple of the shard size.
    if (!r.Skip(16 + 8) || !r.ReadU64(&count)) break;
    total += count;
  }
  return static_cast<int64_t>(total);
}

Status DecodeCounterShards(ByteView context, std::vector<CounterShard>* out) {
  out->clear();
  if (context.empty()) return Status::Ok();
  size_t header_len;
  SSTFS_RETURN_IF_ERROR(HeaderLength(context, &header_len));
  size_t shards = (context.size() - header_len) / kShardLength;
  out->resize(shards);
  // Header elements name local shards (index) and global shards (index +
  // INT16_MIN, i.e. negative); every other shard is remote.
  ByteReader h(context.substr(2, header_len - 2));
  uint16_t raw;
  while (h.ReadU16(&raw)) {
    int elt = static_cast<int16_t>(raw);
    bool global = elt < 0;
    size_t index =
        global ? static_cast<size_t>(elt + 32768) : static_cast<size_t>(elt);
    if (index >= shards) {
      return Status::Corruption("counter context header names shard " +
                                std::to_string(index) + " of " +
                                std::to_string(shards));
    }
    (*out)[index].kind =
        global ? CounterShard::Kind::kGlobal : CounterShard::Kind::kLocal;
  }
  ByteReader r(context.substr(header_len));
  for (CounterShard& s : *out) {
    uint64_t clock, count;
    if (!r.ReadBytes(16, &s.counter_id) || !r.ReadU64(&clock) ||
        !r.ReadU64(&count)) {
      return Status::Corruption("counter shard truncated");
    }
    s.clock = static_cast<int64_t>(clock);
    s.count = static_cast<int64_t>(count);
  }
  return Status::Ok();
}

}  // namespace sstablefs::reader
