#include "tools/nb_metadata.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "reader/byte_reader.h"
#include "reader/murmur3.h"

namespace sstablefs::tools {

using reader::AppendU32;
using reader::AppendU64;
using reader::ByteView;
using reader::Result;
using reader::Status;

uint64_t CassandraMurmurHash2_64(ByteView key, uint64_t seed) {
  constexpr uint64_t kM = 0xc6a4a7935bd1e995ULL;
  constexpr int kR = 47;
  const size_t n = key.size();
  uint64_t h = (seed & 0xffffffffULL) ^ (kM * n);
  const size_t blocks = n >> 3;
  for (size_t i = 0; i < blocks; ++i) {
    uint64_t k = 0;
    for (int b = 7; b >= 0; --b) k = (k << 8) | key[i * 8 + b];
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h ^= k;
    h *= kM;
  }
  const size_t rem = n & 7;
  if (rem != 0) {
    // Java reads the tail as signed bytes: a byte >= 0x80 sign-extends.
    for (size_t j = rem; j-- > 0;) {
      int64_t signed_byte = static_cast<int8_t>(key[n - rem + j]);
      h ^= static_cast<uint64_t>(signed_byte) << (8 * j);
    }
    h *= kM;
  }
  h ^= h >> kR;
  h *= kM;
  h ^= h >> kR;
  return h;
}

// --- HyperLogLogPlus (clearspring stream-lib) --------------------------------

namespace {

constexpr int kHllP = 13;
constexpr int kHllSp = 25;
constexpr size_t kSparseThreshold = (1u << kHllP) * 3 / 4;  // m * 0.75

// HyperLogLogPlus.encodeHash: the top sp bits of the hash, plus the run of
// leading zeros after the first p bits when the sp-p bits in between are 0.
int32_t EncodeHash(uint64_t x) {
  uint32_t idx = static_cast<uint32_t>(x >> (64 - kHllSp));
  uint32_t zero_test = idx << ((32 - kHllSp) + kHllP);
  if (zero_test == 0) {
    uint64_t w = (x << kHllP) | (uint64_t{1} << (kHllP - 1));
    int run_length = __builtin_clzll(w) + 1;
    uint32_t inverted = static_cast<uint32_t>(run_length ^ 63);
    return static_cast<int32_t>((((idx << 6) | inverted) << 1) | 1u);
  }
  return static_cast<int32_t>(idx << 1);
}

uint32_t SparseIndex(int32_t k) {
  uint32_t u = static_cast<uint32_t>(k);
  return (u & 1) ? u >> 7 : u >> 1;
}

// com.clearspring.analytics.util.Varint.writeUnsignedVarInt (LEB128 of the
// int's 32 bits) — not Cassandra's vint.
void AppendLeb128(std::string* out, int32_t value) {
  uint32_t v = static_cast<uint32_t>(value);
  while ((v & ~0x7fu) != 0) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

}  // namespace

void CardinalityEstimator::OfferKey(ByteView partition_key) {
  encoded_.push_back(EncodeHash(CassandraMurmurHash2_64(partition_key)));
}

Result<std::string> CardinalityEstimator::Serialize() const {
  // mergeTempList sorts by (sparse index, value) and keeps, per sparse index,
  // the smallest encoding (the longest run); batching does not change that.
  std::vector<int32_t> set = encoded_;
  std::sort(set.begin(), set.end(), [](int32_t a, int32_t b) {
    uint32_t ia = SparseIndex(a), ib = SparseIndex(b);
    return ia != ib ? ia < ib : a < b;
  });
  set.erase(std::unique(set.begin(), set.end(),
                        [](int32_t a, int32_t b) {
                          return SparseIndex(a) == SparseIndex(b);
                        }),
            set.end());
  if (set.size() > kSparseThreshold) {
    return Status::Unsupported(
        "cardinality estimator: normal (register) HLL++ form not implemented");
  }
  std::string out;
  AppendU32(&out, static_cast<uint32_t>(-2));  // -VERSION
  AppendLeb128(&out, kHllP);
  AppendLeb128(&out, kHllSp);
  AppendLeb128(&out, 1);  // Format.SPARSE
  AppendLeb128(&out, static_cast<int32_t>(set.size()));
  uint32_t previous = 0;
  for (int32_t k : set) {
    uint32_t u = static_cast<uint32_t>(k);
    AppendLeb128(&out, static_cast<int32_t>(u - previous));  // int wrap-around
    previous = u;
  }
  return out;
}

// --- EstimatedHistogram
// ---------------------------------------------------------

EstimatedHistogram::EstimatedHistogram(int bucket_count) {
  // EstimatedHistogram.newOffsets(size, considerZeroes = false).
  int64_t last = 1;
  offsets_.push_back(last);
  for (int i = 1; i < bucket_count; ++i) {
    int64_t next = static_cast<int64_t>(std::floor(last * 1.2 + 0.5));
    if (next == last) ++next;
    offsets_.push_back(next);
    last = next;
  }
  buckets_.assign(offsets_.size() + 1, 0);
}

void EstimatedHistogram::Add(int64_t value) {
  // Arrays.binarySearch, then the insertion point: the first offset >= value.
  auto it = std::lower_bound(offsets_.begin(), offsets_.end(), value);
  ++buckets_[it - offsets_.begin()];
}

void EstimatedHistogram::Serialize(std::string* out) const {
  AppendU32(out, static_cast<uint32_t>(buckets_.size()));
  for (size_t i = 0; i < buckets_.size(); ++i) {
    AppendU64(out, static_cast<uint64_t>(offsets_[i == 0 ? 0 : i - 1]));
    AppendU64(out, static_cast<uint64_t>(buckets_[i]));
  }
}

// --- Tombstone drop-time histogram
// ----------------------------------------------

void TombstoneHistogram::Update(int32_t local_deletion_time) {
  constexpr int64_t kRoundSeconds = 60;
  int64_t p = local_deletion_time;
  int64_t d = p % kRoundSeconds;
  if (d > 0) p += kRoundSeconds - d;
  ++bins_[p];
}

Status TombstoneHistogram::Serialize(std::string* out) const {
  if (bins_.size() > 100) {
    return Status::Unsupported(
        "tombstone histogram: bin merging not implemented");
  }
  AppendU32(out, static_cast<uint32_t>(bins_.size()));  // "maxBinSize"
  AppendU32(out, static_cast<uint32_t>(bins_.size()));
  for (const auto& [point, count] : bins_) {
    double d = static_cast<double>(point);
    uint64_t bits;
    static_assert(sizeof(bits) == sizeof(d));
    std::memcpy(&bits, &d, sizeof(bits));
    AppendU64(out, bits);
    AppendU64(out, static_cast<uint64_t>(count));
  }
  return Status::Ok();
}

// --- Filter.db
// --------------------------------------------------------------------

namespace {

// BloomCalculations.probs: false positive rate for (buckets per element, K).
const std::vector<std::vector<double>>& BloomProbs() {
  static const std::vector<std::vector<double>> kProbs = {
      {1.0},
      {1.0, 1.0},
      {1.0, 0.393, 0.400},
      {1.0, 0.283, 0.237, 0.253},
      {1.0, 0.221, 0.155, 0.147, 0.160},
      {1.0, 0.181, 0.109, 0.092, 0.092, 0.101},
      {1.0, 0.154, 0.0804, 0.0609, 0.0561, 0.0578, 0.0638},
      {1.0, 0.133, 0.0618, 0.0423, 0.0359, 0.0347, 0.0364},
      {1.0, 0.118, 0.0489, 0.0306, 0.024, 0.0217, 0.0216, 0.0229},
      {1.0, 0.105, 0.0397, 0.0228, 0.0166, 0.0141, 0.0133, 0.0135, 0.0145},
      {1.0, 0.0952, 0.0329, 0.0174, 0.0118, 0.00943, 0.00844, 0.00819, 0.00846},
      {1.0, 0.0869, 0.0276, 0.0136, 0.00864, 0.0065, 0.00552, 0.00513, 0.00509},
      {1.0, 0.08, 0.0236, 0.0108, 0.00646, 0.00459, 0.00371, 0.00329, 0.00314},
      {1.0, 0.074, 0.0203, 0.00875, 0.00492, 0.00332, 0.00255, 0.00217, 0.00199,
       0.00194},
      {1.0, 0.0689, 0.0177, 0.00718, 0.00381, 0.00244, 0.00179, 0.00146,
       0.00129, 0.00121, 0.0012},
      {1.0, 0.0645, 0.0156, 0.00596, 0.003, 0.00183, 0.00128, 0.001, 0.000852,
       0.000775, 0.000744},
      {1.0, 0.0606, 0.0138, 0.005, 0.00239, 0.00139, 0.000935, 0.000702,
       0.000574, 0.000505, 0.00047, 0.000459},
      {1.0, 0.0571, 0.0123, 0.00423, 0.00193, 0.00107, 0.000692, 0.000499,
       0.000394, 0.000335, 0.000302, 0.000287, 0.000284},
      {1.0, 0.054, 0.0111, 0.00362, 0.00158, 0.000839, 0.000519, 0.00036,
       0.000275, 0.000226, 0.000198, 0.000183, 0.000176},
      {1.0, 0.0513, 0.00998, 0.00312, 0.0013, 0.000663, 0.000394, 0.000264,
       0.000194, 0.000155, 0.000132, 0.000118, 0.000111, 0.000109},
      {1.0, 0.0488, 0.00906, 0.0027, 0.00108, 0.00053, 0.000303, 0.000196,
       0.00014, 0.000108, 8.89e-05, 7.77e-05, 7.12e-05, 6.79e-05, 6.71e-05},
  };
  return kProbs;
}

int OptimalK(int buckets) {
  const std::vector<double>& row = BloomProbs()[buckets];
  double min = std::numeric_limits<double>::max();
  int k = 1;
  for (size_t j = 0; j < row.size(); ++j) {
    if (row[j] < min) {
      min = row[j];
      k = std::max(1, static_cast<int>(j));
    }
  }
  return k;
}

struct BloomSpec {
  int hash_count;
  int buckets_per_element;
};

// BloomCalculations.computeBloomSpec(maxBucketsPerElement = 20, fp).
Result<BloomSpec> ComputeBloomSpec(double fp) {
  const auto& probs = BloomProbs();
  constexpr int kMaxBuckets = 20;
  if (fp >= probs[2][1]) return BloomSpec{2, OptimalK(2)};  // sic: (K, b)
  if (fp < probs[kMaxBuckets].back()) {
    return Status::InvalidArgument("bloom filter fp chance too small");
  }
  int buckets = 2;
  int k = OptimalK(2);
  while (probs[buckets][k] > fp) k = OptimalK(++buckets);
  while (probs[buckets][k - 1] <= fp) --k;
  return BloomSpec{k, buckets};
}

}  // namespace

Result<std::string> BuildBloomFilter(const std::vector<std::string>& keys,
                                     double fp_chance) {
  SSTFS_ASSIGN_OR_RETURN(BloomSpec spec, ComputeBloomSpec(fp_chance));
  // FilterFactory.createFilter: numElements * bucketsPer + BITSET_EXCESS (20)
  // bits, rounded up to whole 64-bit words (OffHeapBitSet).
  const uint64_t bits = keys.size() * spec.buckets_per_element + 20;
  const uint64_t words = ((bits - 1) >> 6) + 1;
  const uint64_t capacity = words * 64;
  std::vector<uint8_t> bitset(words * 8, 0);
  for (const std::string& key : keys) {
    reader::Murmur3Hash h = reader::CassandraMurmur3(ByteView(key));
    // BloomFilter.setIndexes(base = hash[1], inc = hash[0]) with Java's
    // signed remainder and abs().
    uint64_t base = h.h2;
    for (int i = 0; i < spec.hash_count; ++i) {
      int64_t r = static_cast<int64_t>(base) % static_cast<int64_t>(capacity);
      uint64_t index = static_cast<uint64_t>(r < 0 ? -r : r);
      bitset[index >> 3] |= static_cast<uint8_t>(1u << (index & 7));
      base += h.h1;
    }
  }
  std::string out;
  AppendU32(&out, static_cast<uint32_t>(spec.hash_count));
  AppendU32(&out, static_cast<uint32_t>(words));
  out.append(reinterpret_cast<const char*>(bitset.data()), bitset.size());
  return out;
}

// --- Summary.db
// -----------------------------------------------------------------------

namespace {

void AppendLittleEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out->push_back(static_cast<char>(v >> (8 * i)));
}

}  // namespace

std::string BuildIndexSummary(const std::vector<std::string>& keys,
                              const std::vector<uint64_t>& index_positions) {
  constexpr uint32_t kMinIndexInterval = 128;
  constexpr uint32_t kBaseSamplingLevel = 128;
  std::vector<uint32_t> offsets;
  std::string entries;
  for (size_t i = 0; i < keys.size(); i += kMinIndexInterval) {
    offsets.push_back(static_cast<uint32_t>(entries.size()));
    entries += keys[i];
    AppendLittleEndian(&entries, index_positions[i], 8);
  }
  const uint32_t count = static_cast<uint32_t>(offsets.size());
  std::string out;
  AppendU32(&out, kMinIndexInterval);
  AppendU32(&out, count);
  AppendU64(&out, uint64_t{count} * 4 + entries.size());  // getOffHeapSize()
  AppendU32(&out, kBaseSamplingLevel);
  AppendU32(&out, static_cast<uint32_t>((keys.size() + kMinIndexInterval - 1) /
                                        kMinIndexInterval));
  for (uint32_t offset : offsets)
    AppendLittleEndian(&out, offset + count * 4, 4);
  out += entries;
  // SSTableReader.saveSummary: first and last key, i32 length-prefixed.
  if (!keys.empty()) {
    AppendU32(&out, static_cast<uint32_t>(keys.front().size()));
    out += keys.front();
    AppendU32(&out, static_cast<uint32_t>(keys.back().size()));
    out += keys.back();
  }
  return out;
}

}  // namespace sstablefs::tools
