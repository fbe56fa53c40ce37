// Values of every CQL type for the kitchen preset: random values mixed with
// edge cases (extremes, NaN/Infinity, empty and non-ASCII text, varints
// beyond 64 bits, decimals with negative and large scales, negative
// durations, IPv6, dates before 1970).
//
// Contract: pure functions of the Rng state; output appended to `out`.
#ifndef SSTABLEFS_TOOLS_GEN_KITCHEN_VALUES_H_
#define SSTABLEFS_TOOLS_GEN_KITCHEN_VALUES_H_

#include <string>
#include <utility>
#include <vector>

#include "reader/types.h"
#include "tools/gen/prng.h"

namespace sstablefs::gen {

// A serialized value of `type` (any kind but counter/composite/empty;
// collections, tuples, UDTs and vectors in their frozen form).
void GenValue(const reader::CqlType& type, Rng* rng, std::string* out);

// The cells of a non-frozen collection or UDT, in path order (list paths
// are time UUIDs from `list_micros` upward). Empty means no cells (null).
std::vector<std::pair<std::string, std::string>> GenCells(
    const reader::CqlType& type, Rng* rng, int64_t list_micros);

}  // namespace sstablefs::gen

#endif  // SSTABLEFS_TOOLS_GEN_KITCHEN_VALUES_H_
