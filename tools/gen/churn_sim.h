// The churn preset's operations and oracle (see preset_churn.cc and
// churn_model.h): the seeded operation stream, applied to in-memory stores,
// and the rows.jsonl rendering of what Cassandra's read path returns.
//
// Contract: pure functions of (seed, operation count); single-threaded.
#ifndef SSTABLEFS_TOOLS_GEN_CHURN_SIM_H_
#define SSTABLEFS_TOOLS_GEN_CHURN_SIM_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tools/gen/churn_model.h"
#include "tools/gen/preset.h"

namespace sstablefs::gen::churn {

inline constexpr char kKs[] = "gen_churn";
inline constexpr int kFlushes = 5;
inline constexpr int64_t kNow = 1740787200;  // 2025-03-01T00:00:00Z
inline constexpr char kNowText[] = "2025-03-01T00:00:00Z";

// Model column ids of items, and their names.
enum ItemCol { kSNote, kOldNote, kVDouble, kVInt, kVText, kTags, kItemCols };
inline constexpr const char* kItemNames[] = {"s_note", "old_note", "v_double",
                                             "v_int",  "v_text",   "tags"};
enum HitCol { kViews, kClicks };
inline constexpr const char* kHitNames[] = {"views", "clicks"};
// hits clustering values by model index (sorted, as UTF8Type orders them).
inline constexpr const char* kPages[] = {"about", "cart", "home", "search"};

// Flush k's first write time; old_note is dropped between flush 0 and 1.
inline int64_t FlushBase(int k) { return kEpochMicros + k * 86400LL * 1000000; }
inline constexpr int64_t kDropMicros = kEpochMicros + 86400LL * 1000000 - 5000;

using Store = std::map<int32_t, PartitionState>;

// Generates `ops` operations from `seed`, in order, and applies those of
// flush `only` (all when -1) to `items` / `hits`.
void Simulate(uint64_t seed, uint64_t ops, int only, Store* items, Store* hits);

std::string IntBytes(int32_t v);
// Partition keys of a store in Murmur3 order.
std::vector<int32_t> TokenOrdered(const Store& store);

// rows.jsonl (SPEC §3) of the merged stores at kNow.
std::string ItemsJsonl(const GenTable& items_table, const Store& store);
std::string HitsJsonl(const GenTable& hits_table, const Store& store);

}  // namespace sstablefs::gen::churn

#endif  // SSTABLEFS_TOOLS_GEN_CHURN_SIM_H_
