#include "writer/metadata.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>

#include "reader/byte_reader.h"
#include "reader/murmur3.h"

namespace sstablefs::writer {

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

constexpr size_t kPendingBatch = 1 << 16;
constexpr int kRegisterWords = (1 << kHllP) / 6 + 1;  // getSizeForCount

// decodeRunLength: the run length of leading zeros (+1) after the first p
// bits, from a sparse encoding.
int32_t DecodeRunLength(int32_t k) {
  const uint32_t u = static_cast<uint32_t>(k);
  if (u & 1) return static_cast<int32_t>(((u >> 1) & 63) ^ 63);
  const uint32_t shifted = u << (kHllP + (31 - kHllSp));
  return (shifted == 0 ? 32 : __builtin_clz(shifted)) + 1;
}

}  // namespace

void CardinalityEstimator::OfferKey(ByteView partition_key) {
  const uint64_t x = CassandraMurmurHash2_64(partition_key);
  if (!registers_.empty()) {
    // offerHashed in NORMAL format.
    const uint32_t idx = static_cast<uint32_t>(x >> (64 - kHllP));
    const uint64_t w = (x << kHllP) | (uint64_t{1} << (kHllP - 1));
    UpdateRegister(&registers_, idx, __builtin_clzll(w) + 1);
    return;
  }
  pending_.push_back(EncodeHash(x));
  if (pending_.size() >= kPendingBatch) {
    MergePending(&pending_, &sparse_, &registers_);
  }
}

void CardinalityEstimator::UpdateRegister(std::vector<int32_t>* registers,
                                          uint32_t index,
                                          int32_t run_length) const {
  // RegisterSet.updateIfGreater, with Java's int arithmetic (a run length
  // above 31 spills into the next register exactly as it does there).
  const uint32_t bucket = index / 6;
  const uint32_t shift = 5 * (index - bucket * 6);
  const uint32_t mask = 0x1fu << shift;
  const uint32_t word = static_cast<uint32_t>((*registers)[bucket]);
  const int64_t current = static_cast<int32_t>(word & mask);
  const int64_t next =
      static_cast<int32_t>(static_cast<uint32_t>(run_length) << shift);
  if (current < next) {
    (*registers)[bucket] = static_cast<int32_t>(
        (word & ~mask) | static_cast<uint32_t>(static_cast<uint64_t>(next)));
  }
}

void CardinalityEstimator::MergePending(std::vector<int32_t>* pending,
                                        std::vector<int32_t>* sparse,
                                        std::vector<int32_t>* registers) const {
  if (pending->empty()) return;
  auto by_index = [](int32_t a, int32_t b) {
    uint32_t ia = SparseIndex(a), ib = SparseIndex(b);
    return ia != ib ? ia < ib : a < b;
  };
  std::sort(pending->begin(), pending->end(), by_index);
  std::vector<int32_t> merged;
  merged.reserve(sparse->size() + pending->size());
  std::merge(sparse->begin(), sparse->end(), pending->begin(), pending->end(),
             std::back_inserter(merged), by_index);
  // Per sparse index the first (smallest) encoding survives.
  merged.erase(std::unique(merged.begin(), merged.end(),
                           [](int32_t a, int32_t b) {
                             return SparseIndex(a) == SparseIndex(b);
                           }),
               merged.end());
  pending->clear();
  if (merged.size() > kSparseThreshold) {
    // convertToNormal.
    registers->assign(kRegisterWords, 0);
    for (int32_t k : merged) {
      UpdateRegister(registers, SparseIndex(k) >> (kHllSp - kHllP),
                     DecodeRunLength(k));
    }
    sparse->clear();
    sparse->shrink_to_fit();
    return;
  }
  sparse->swap(merged);
}

Result<std::string> CardinalityEstimator::Serialize() const {
  std::vector<int32_t> pending = pending_, sparse = sparse_,
                       registers = registers_;
  if (registers.empty()) MergePending(&pending, &sparse, &registers);
  std::string out;
  AppendU32(&out, static_cast<uint32_t>(-2));  // -VERSION
  AppendLeb128(&out, kHllP);
  AppendLeb128(&out, kHllSp);
  if (!registers.empty()) {
    AppendLeb128(&out, 0);  // Format.NORMAL
    AppendLeb128(&out, static_cast<int32_t>(registers.size() * 4));
    for (int32_t w : registers) AppendU32(&out, static_cast<uint32_t>(w));
    return out;
  }
  AppendLeb128(&out, 1);  // Format.SPARSE
  AppendLeb128(&out, static_cast<int32_t>(sparse.size()));
  uint32_t previous = 0;
  for (int32_t k : sparse) {
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

TombstoneHistogram::TombstoneHistogram(bool legacy, int max_bins,
                                       uint32_t spool_capacity,
                                       int32_t round_seconds)
    : legacy_(legacy),
      max_bins_(max_bins),
      spool_capacity_(0),
      round_seconds_(round_seconds) {
  if (spool_capacity > 0) {
    spool_capacity_ = 1;
    while (spool_capacity_ < spool_capacity) spool_capacity_ <<= 1;
  }
}

int32_t TombstoneHistogram::Round(int32_t point) const {
  // roundKey: up to a multiple of roundSeconds, saturating at
  // Cell.MAX_DELETION_TIME (Integer.MAX_VALUE - 1).
  constexpr int32_t kMaxDeletionTime = INT32_MAX - 1;
  const int32_t d = point % round_seconds_;
  if (d <= 0) return point;
  const int64_t up = int64_t{point} + (round_seconds_ - d);
  return up > kMaxDeletionTime ? kMaxDeletionTime : static_cast<int32_t>(up);
}

bool TombstoneHistogram::TrySpool(int32_t point, int32_t delta) {
  // Spool.tryAddOrAccumulate: linear probing from the slot of
  // (int)(point * 948701839L), at most 100 attempts.
  if (spool_.empty()) spool_.assign(size_t{spool_capacity_} * 4, -1);
  if (spool_size_ > spool_capacity_) return false;
  const int32_t hash =
      static_cast<int32_t>(static_cast<uint64_t>(int64_t{point} * 948701839LL));
  const uint32_t cell =
      2 * ((spool_capacity_ - 1) & static_cast<uint32_t>(hash));
  for (uint32_t attempt = 0; attempt < 100; ++attempt) {
    const size_t c = (cell + attempt * 2) % spool_.size();
    if (spool_[c] == -1) {
      spool_[c] = point;
      spool_[c + 1] = delta;
      ++spool_size_;
      return true;
    }
    if (spool_[c] == point) {
      spool_[c + 1] += delta;
      return true;
    }
  }
  return false;
}

void TombstoneHistogram::FlushValue(int32_t point, int32_t delta) {
  // DataHolder.addValue, then mergeBin while the holder (101 slots) is full:
  // the adjacent pair with the smallest distance (the smallest left point
  // on ties) becomes one weighted, rounded point.
  auto it = std::lower_bound(bins_.begin(), bins_.end(), point,
                             [](const std::pair<int32_t, int32_t>& b,
                                int32_t p) { return b.first < p; });
  if (it != bins_.end() && it->first == point) {
    it->second += delta;
    return;
  }
  bins_.insert(it, {point, delta});
  if (bins_.size() <= static_cast<size_t>(max_bins_)) return;
  size_t best = 0;
  int64_t best_distance = INT64_MAX;
  for (size_t i = 0; i + 1 < bins_.size(); ++i) {
    const int64_t d = int64_t{bins_[i + 1].first} - bins_[i].first;
    if (d < best_distance) {
      best_distance = d;
      best = i;
    }
  }
  const auto [p1, v1] = bins_[best];
  const auto [p2, v2] = bins_[best + 1];
  const int32_t sum = v1 + v2;
  const int32_t merged = static_cast<int32_t>(
      (int64_t{p1} * v1 + int64_t{p2} * v2) / (int64_t{v1} + v2));
  bins_[best] = {Round(merged), sum};
  bins_.erase(bins_.begin() + static_cast<std::ptrdiff_t>(best) + 1);
}

void TombstoneHistogram::FlushSpool() {
  for (size_t i = 0; i < spool_.size(); i += 2) {
    if (spool_[i] != -1) FlushValue(spool_[i], spool_[i + 1]);
  }
  std::fill(spool_.begin(), spool_.end(), -1);
  spool_size_ = 0;
}

void TombstoneHistogram::Update(int32_t local_deletion_time) {
  const int32_t p = Round(local_deletion_time);
  if (spool_capacity_ == 0) {
    FlushValue(p, 1);
    return;
  }
  if (!TrySpool(p, 1)) {
    FlushSpool();
    TrySpool(p, 1);
  }
}

std::vector<std::pair<int32_t, int32_t>> TombstoneHistogram::Bins() const {
  if (spool_size_ == 0) return bins_;
  TombstoneHistogram copy = *this;
  copy.FlushSpool();
  return copy.bins_;
}

Status TombstoneHistogram::Serialize(std::string* out) const {
  const std::vector<std::pair<int32_t, int32_t>> bins = Bins();
  AppendU32(out, static_cast<uint32_t>(legacy_ ? max_bins_ : bins.size()));
  AppendU32(out, static_cast<uint32_t>(bins.size()));
  for (const auto& [point, count] : bins) {
    double d = static_cast<double>(point);
    uint64_t bits;
    static_assert(sizeof(bits) == sizeof(d));
    std::memcpy(&bits, &d, sizeof(bits));
    AppendU64(out, bits);
    AppendU64(out, static_cast<uint64_t>(int64_t{count}));
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
  BloomFilterBuilder b(fp_chance, keys.size(), /*old_format=*/false);
  for (const std::string& key : keys) b.Add(ByteView(key));
  return b.Finish();
}

BloomFilterBuilder::BloomFilterBuilder(double fp_chance, uint64_t expected_keys,
                                       bool old_format)
    : fp_chance_(fp_chance),
      expected_keys_(expected_keys),
      old_format_(old_format) {
  Result<BloomSpec> spec = ComputeBloomSpec(fp_chance);
  if (!spec.ok()) {
    status_ = spec.status();
    return;
  }
  hash_count_ = spec->hash_count;
  if (expected_keys_ > 0) {
    const uint64_t bits = expected_keys_ * spec->buckets_per_element + 20;
    words_.assign(((bits - 1) >> 6) + 1, 0);
  }
}

void BloomFilterBuilder::SetBits(uint64_t h1, uint64_t h2) {
  // BloomFilter.setIndexes(base = hash[1], inc = hash[0]) with Java's signed
  // remainder and abs().
  const int64_t capacity = static_cast<int64_t>(words_.size() * 64);
  uint64_t base = h2;
  for (int i = 0; i < hash_count_; ++i) {
    int64_t r = static_cast<int64_t>(base) % capacity;
    uint64_t index = static_cast<uint64_t>(r < 0 ? -r : r);
    words_[index >> 6] |= uint64_t{1} << (index & 63);
    base += h1;
  }
}

void BloomFilterBuilder::Add(ByteView key) {
  if (!status_.ok()) return;
  reader::Murmur3Hash h = reader::CassandraMurmur3(key);
  if (expected_keys_ == 0) {
    pending_.emplace_back(h.h1, h.h2);
  } else {
    SetBits(h.h1, h.h2);
  }
}

Result<std::string> BloomFilterBuilder::Finish() {
  SSTFS_RETURN_IF_ERROR(status_);
  if (expected_keys_ == 0) {
    SSTFS_ASSIGN_OR_RETURN(BloomSpec spec, ComputeBloomSpec(fp_chance_));
    const uint64_t bits = pending_.size() * spec.buckets_per_element + 20;
    words_.assign(((bits - 1) >> 6) + 1, 0);
    for (const auto& [h1, h2] : pending_) SetBits(h1, h2);
    pending_.clear();
    pending_.shrink_to_fit();
  }
  std::string out;
  out.reserve(8 + words_.size() * 8);
  AppendU32(&out, static_cast<uint32_t>(hash_count_));
  AppendU32(&out, static_cast<uint32_t>(words_.size()));
  for (uint64_t w : words_) {
    if (old_format_) {
      AppendU64(&out, w);  // writeLong: big-endian
    } else {
      for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<char>(w >> (8 * i)));
    }
  }
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
  SummaryBuilder b;
  for (size_t i = 0; i < keys.size(); ++i) {
    b.Add(ByteView(keys[i]), index_positions[i]);
  }
  return b.Finish();
}

void SummaryBuilder::Add(ByteView key, uint64_t index_position) {
  if (count_ == 0) first_ = key.ToString();
  last_.assign(key.AsStringView());
  if (count_ % interval_ == 0) {
    offsets_.push_back(static_cast<uint32_t>(entries_.size()));
    entries_.append(key.AsStringView());
    AppendLittleEndian(&entries_, index_position, 8);
  }
  ++count_;
}

std::string SummaryBuilder::Finish() const {
  constexpr uint32_t kBaseSamplingLevel = 128;
  const uint32_t count = static_cast<uint32_t>(offsets_.size());
  std::string out;
  AppendU32(&out, interval_);
  AppendU32(&out, count);
  AppendU64(&out, uint64_t{count} * 4 + entries_.size());  // getOffHeapSize()
  AppendU32(&out, kBaseSamplingLevel);
  AppendU32(&out, static_cast<uint32_t>((count_ + interval_ - 1) / interval_));
  for (uint32_t offset : offsets_) {
    AppendLittleEndian(&out, offset + count * 4, 4);
  }
  out += entries_;
  // SSTableReader.saveSummary: first and last key, i32 length-prefixed.
  if (count_ > 0) {
    AppendU32(&out, static_cast<uint32_t>(first_.size()));
    out += first_;
    AppendU32(&out, static_cast<uint32_t>(last_.size()));
    out += last_;
  }
  return out;
}

}  // namespace sstablefs::writer
