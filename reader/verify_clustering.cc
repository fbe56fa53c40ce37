#include "reader/verify_clustering.h"

#include <algorithm>

namespace sstablefs::reader {
namespace {

// ClusteringPrefix.Kind: the comparison rank of a kind, and how a prefix of
// this kind compares with the longer clusterings it is a prefix of.
int KindRank(BoundKind k) {
  switch (k) {
    case BoundKind::kExclEndBound:
    case BoundKind::kInclStartBound:
    case BoundKind::kExclEndInclStartBoundary:
      return 0;
    case BoundKind::kStaticClustering:
      return 1;
    case BoundKind::kClustering:
      return 2;
    case BoundKind::kInclEndExclStartBoundary:
    case BoundKind::kInclEndBound:
    case BoundKind::kExclStartBound:
      return 3;
  }
  return 2;
}

int ComparedToClustering(BoundKind k) {
  int rank = KindRank(k);
  return rank < 2 ? -1 : (rank == 2 ? 0 : 1);
}

const char* KindName(BoundKind k) {
  switch (k) {
    case BoundKind::kExclEndBound:
      return "exclusive end";
    case BoundKind::kInclStartBound:
      return "inclusive start";
    case BoundKind::kExclEndInclStartBoundary:
      return "exclusive end/inclusive start boundary";
    case BoundKind::kStaticClustering:
      return "static";
    case BoundKind::kClustering:
      return "row";
    case BoundKind::kInclEndExclStartBoundary:
      return "inclusive end/exclusive start boundary";
    case BoundKind::kInclEndBound:
      return "inclusive end";
    case BoundKind::kExclStartBound:
      return "exclusive start";
  }
  return "?";
}

}  // namespace

bool SameClustering(const Clustering& a, const Clustering& b) {
  if (a.kind != b.kind || a.values.size() != b.values.size()) return false;
  for (size_t i = 0; i < a.values.size(); ++i) {
    if (a.values[i].has_value() != b.values[i].has_value()) return false;
    if (a.values[i] && *a.values[i] != *b.values[i]) return false;
  }
  return true;
}

int ClusteringOrder::CompareValue(size_t i, const std::optional<ByteView>& a,
                                  const std::optional<ByteView>& b) const {
  // ClusteringComparator.compareComponent: null sorts first.
  if (!a || !b) return a ? 1 : (b ? -1 : 0);
  if (i >= types_.size() || !types_[i]) return a->Compare(*b);
  int c = CompareValues(*types_[i], *a, *b);
  return types_[i]->reversed ? -c : c;
}

int ClusteringOrder::Compare(const Clustering& a, const Clustering& b) const {
  const size_t sa = a.values.size();
  const size_t sb = b.values.size();
  const size_t common = std::min(sa, sb);
  for (size_t i = 0; i < common; ++i) {
    int c = CompareValue(i, a.values[i], b.values[i]);
    if (c != 0) return c < 0 ? -1 : 1;
  }
  if (sa == sb) {
    int ra = KindRank(a.kind), rb = KindRank(b.kind);
    return ra < rb ? -1 : (ra > rb ? 1 : 0);
  }
  return sa < sb ? ComparedToClustering(a.kind) : -ComparedToClustering(b.kind);
}

std::string ClusteringOrder::Describe(const Clustering& c) const {
  std::string out = KindName(c.kind);
  out += " (";
  for (size_t i = 0; i < c.values.size(); ++i) {
    if (i > 0) out += ", ";
    if (!c.values[i]) {
      out += "null";
    } else if (i < types_.size() && types_[i]) {
      std::string v;
      AppendCqlLiteral(*types_[i], *c.values[i], true, &v);
      if (v.size() > 40) v = v.substr(0, 37) + "...";
      out += v;
    } else {
      out += "?";
    }
  }
  return out + ")";
}

bool ClusteringOrder::Accept(const Clustering& c, std::string* why) {
  bool ok = true;
  if (have_prev_) {
    // prev_ views point into prev_bytes_, stable until rebuilt below.
    int cmp = Compare(prev_, c);
    if (cmp > 0 ||
        (cmp == 0 && !(IsEnd(prev_.kind) && !IsBoundary(prev_.kind) &&
                       IsStart(c.kind) && !IsBoundary(c.kind)))) {
      ok = false;
      *why = Describe(c) + (cmp == 0 ? " repeats " : " sorts before ") +
             "the previous " + Describe(prev_);
    }
  }
  // Remember `c`: copy its values into the reused buffer, then point the
  // views at it (after all appends, so no reallocation invalidates them).
  prev_bytes_.clear();
  prev_slots_.clear();
  for (const std::optional<ByteView>& v : c.values) {
    if (v) {
      prev_slots_.push_back({true, prev_bytes_.size(), v->size()});
      prev_bytes_.append(v->AsStringView());
    } else {
      prev_slots_.push_back({false, 0, 0});
    }
  }
  prev_.kind = c.kind;
  prev_.values.resize(prev_slots_.size());
  for (size_t i = 0; i < prev_slots_.size(); ++i) {
    const Slot& s = prev_slots_[i];
    if (s.present) {
      prev_.values[i] = ByteView(
          reinterpret_cast<const uint8_t*>(prev_bytes_.data()) + s.offset,
          s.size);
    } else {
      prev_.values[i].reset();
    }
  }
  have_prev_ = true;
  return ok;
}

}  // namespace sstablefs::reader
