// Test-only helpers for the corpus tests (header-only: tests/CMakeLists.txt
// builds one executable per *_test.cc and links no extra test sources).
//
//  - DecodeSSTable(): reads every partition, row and marker of one SSTable
//    into an owned model (copies of all bytes), with key and clustering
//    values rendered once as unquoted CQL literals for fact matching.
//  - Normalisation of the CQL literals used by expected.json ("'text'",
//    "5", "(1, 'hello', true)") to the same unquoted form.
//  - Comparison of our CQL JSON rendering with expected.json values, with
//    the type-aware tolerances the corpus README implies (float32 values,
//    time of day with or without trailing zeros, ...).
//  - Range tombstone segments rebuilt from on-disk markers, and the
//    invariants a marker sequence must satisfy (used on every readable set
//    and to show what is wrong in the malformed ones).
//
// Nothing here decides what a set should contain: that comes from
// expected.json and the README, in corpus_test.cc.
#ifndef SSTABLEFS_TESTS_CORPUS_FACTS_H_
#define SSTABLEFS_TESTS_CORPUS_FACTS_H_

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "reader/byte_view.h"
#include "reader/columns.h"
#include "reader/data_file.h"
#include "reader/sstable.h"
#include "reader/status.h"
#include "reader/types.h"
#include "reader/unfiltered.h"

namespace sstablefs::testing::corpus {

namespace rd = ::sstablefs::reader;
using Json = nlohmann::json;

// ---------------------------------------------------------------------------
// Owned model of one SSTable's Data.db.

struct OwnedCell {
  uint32_t column = 0;
  bool is_tombstone = false;
  bool is_expiring = false;
  int64_t timestamp = rd::kNoTimestamp;
  int32_t ttl = rd::kNoTtl;
  int32_t local_deletion_time = rd::kNoDeletionTime;
  bool has_path = false;
  std::string path;
  std::string value;
};

using OwnedClustering = std::vector<std::optional<std::string>>;

struct OwnedRow {
  bool is_static = false;
  OwnedClustering clustering;
  std::vector<std::string> clustering_text;  // unquoted literals, trailing
                                             // null components dropped
  rd::LivenessInfo liveness;
  rd::DeletionTime deletion;
  bool deletion_is_shadowable = false;
  rd::DeletionTime scylla_shadowable_deletion;
  std::vector<OwnedCell> cells;
  std::vector<rd::ComplexDeletion> complex_deletions;
  uint64_t position = 0;
};

struct OwnedMarker {
  rd::BoundKind kind = rd::BoundKind::kInclStartBound;
  OwnedClustering bound;
  std::vector<std::string> bound_text;
  rd::DeletionTime deletion;        // bounds
  rd::DeletionTime end_deletion;    // boundaries
  rd::DeletionTime start_deletion;  // boundaries
};

struct OwnedPartition {
  uint64_t position = 0;
  std::string key;
  std::vector<std::string> key_text;  // one unquoted literal per component
  rd::DeletionTime deletion;
  std::optional<OwnedRow> static_row;
  std::vector<OwnedRow> rows;
  std::vector<OwnedMarker> markers;  // in stored order
};

struct DecodedSSTable {
  std::string prefix;  // "mc-1-big"
  std::shared_ptr<rd::SSTable> table;
  std::vector<OwnedPartition> partitions;
  std::unordered_map<std::string, size_t> by_key;  // raw key bytes -> index
};

// Upper bound on unfiltereds per SSTable: the corpus has < 70k; a decoder
// that keeps producing items past this is looping.
inline constexpr uint64_t kMaxUnfiltereds = 20'000'000;

inline OwnedClustering CopyClustering(const rd::Clustering& c) {
  OwnedClustering out;
  out.reserve(c.values.size());
  for (const auto& v : c.values) {
    if (v) {
      out.emplace_back(v->ToString());
    } else {
      out.emplace_back(std::nullopt);
    }
  }
  return out;
}

// Unquoted CQL literal of one value.
inline std::string LiteralOf(const rd::CqlType& type, std::string_view bytes) {
  std::string out;
  rd::AppendCqlLiteral(type, rd::ByteView(bytes), /*quote_strings=*/false,
                       &out);
  return out;
}

// Renders clustering components; trailing absent (null) components are
// dropped (compact tables store clustering prefixes that way in mc).
inline std::vector<std::string> ClusteringText(const rd::Columns& columns,
                                               const OwnedClustering& c) {
  size_t n = c.size();
  while (n > 0 && !c[n - 1].has_value()) --n;
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    if (!c[i]) {
      out.emplace_back("<null>");
    } else if (i < columns.clustering_types.size() &&
               columns.clustering_types[i]) {
      out.push_back(LiteralOf(*columns.clustering_types[i], *c[i]));
    } else {
      out.push_back("0x" + rd::ByteView(*c[i]).ToHex());
    }
  }
  return out;
}

inline std::vector<std::string> KeyText(const rd::Columns& columns,
                                        const std::string& key) {
  const rd::CqlType& kt = *columns.key_type;
  if (kt.kind == rd::TypeKind::kComposite) {
    auto parts = rd::SplitComposite(rd::ByteView(key));
    if (!parts.ok())
      return {"<bad composite " + rd::ByteView(key).ToHex() + ">"};
    std::vector<std::string> out;
    for (size_t i = 0; i < parts->size(); ++i) {
      if (i < kt.params.size()) {
        out.push_back(LiteralOf(*kt.params[i], (*parts)[i].AsStringView()));
      } else {
        out.push_back("0x" + (*parts)[i].ToHex());
      }
    }
    return out;
  }
  return {LiteralOf(kt, key)};
}

inline OwnedRow CopyRow(const rd::Columns& columns, const rd::Row& r,
                        uint64_t position) {
  OwnedRow o;
  o.is_static = r.is_static;
  o.clustering = CopyClustering(r.clustering);
  o.clustering_text = ClusteringText(columns, o.clustering);
  o.liveness = r.liveness;
  o.deletion = r.deletion;
  o.deletion_is_shadowable = r.deletion_is_shadowable;
  o.scylla_shadowable_deletion = r.shadowable_deletion;
  o.complex_deletions = r.complex_deletions;
  o.position = position;
  o.cells.reserve(r.cells.size());
  for (const rd::Cell& c : r.cells) {
    OwnedCell oc;
    oc.column = c.column;
    oc.is_tombstone = c.is_tombstone;
    oc.is_expiring = c.is_expiring;
    oc.timestamp = c.timestamp;
    oc.ttl = c.ttl;
    oc.local_deletion_time = c.local_deletion_time;
    oc.has_path = c.has_path;
    oc.path = c.path.ToString();
    oc.value = c.value.ToString();
    o.cells.push_back(std::move(oc));
  }
  return o;
}

// Decodes the whole Data.db. Returns the iterator's (or OpenData's) status;
// on error `out` holds what was decoded before it.
inline rd::Status DecodeSSTable(std::shared_ptr<rd::SSTable> table,
                                DecodedSSTable* out) {
  out->table = table;
  out->prefix = table->descriptor().prefix();
  auto input = table->OpenData();
  if (!input.ok()) return input.status();
  const rd::Columns& columns = table->columns();
  rd::PartitionIterator it(input->get(), &columns, table->descriptor().version);
  uint64_t items = 0;
  for (it.SeekToFirst(); it.Valid(); it.NextPartition()) {
    const rd::PartitionHeader& h = it.partition();
    OwnedPartition p;
    p.position = h.position;
    p.key = h.key.ToString();
    p.key_text = KeyText(columns, p.key);
    p.deletion = h.deletion;
    for (it.StartRows(); it.RowValid(); it.NextRow()) {
      if (++items > kMaxUnfiltereds) {
        return rd::Status::Corruption("test: iterator did not terminate");
      }
      const rd::Unfiltered& u = it.unfiltered();
      if (u.kind == rd::Unfiltered::Kind::kRow) {
        if (u.row.is_static) {
          p.static_row = CopyRow(columns, u.row, u.position);
        } else {
          p.rows.push_back(CopyRow(columns, u.row, u.position));
        }
      } else {
        OwnedMarker m;
        m.kind = u.marker.bound.kind;
        m.bound = CopyClustering(u.marker.bound);
        m.bound_text = ClusteringText(columns, m.bound);
        m.deletion = u.marker.deletion;
        m.end_deletion = u.marker.end_deletion;
        m.start_deletion = u.marker.start_deletion;
        p.markers.push_back(std::move(m));
      }
    }
    if (++items > kMaxUnfiltereds) {
      return rd::Status::Corruption("test: iterator did not terminate");
    }
    out->by_key.emplace(p.key, out->partitions.size());
    out->partitions.push_back(std::move(p));
  }
  return it.status();
}

// ---------------------------------------------------------------------------
// expected.json literals.

// "'it''s'" -> "it's"; anything else unchanged.
inline std::string Unquote(std::string_view lit) {
  if (lit.size() >= 2 && lit.front() == '\'' && lit.back() == '\'') {
    std::string out;
    for (size_t i = 1; i + 1 < lit.size(); ++i) {
      out.push_back(lit[i]);
      if (lit[i] == '\'' && i + 2 < lit.size() && lit[i + 1] == '\'') ++i;
    }
    return out;
  }
  return std::string(lit);
}

// Splits "(1, 'a,b', true)" into its top-level components, unquoted.
inline std::vector<std::string> SplitTupleLiteral(std::string_view lit) {
  std::vector<std::string> out;
  if (lit.size() < 2 || lit.front() != '(' || lit.back() != ')') {
    out.push_back(Unquote(lit));
    return out;
  }
  std::string_view body = lit.substr(1, lit.size() - 2);
  bool in_quote = false;
  int depth = 0;
  size_t start = 0;
  auto flush = [&](size_t end) {
    std::string_view part = body.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    out.push_back(Unquote(part));
  };
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\'') {
      in_quote = !in_quote;  // '' inside a string toggles twice: harmless
    } else if (!in_quote && (c == '(' || c == '[' || c == '{')) {
      ++depth;
    } else if (!in_quote && (c == ')' || c == ']' || c == '}')) {
      --depth;
    } else if (!in_quote && depth == 0 && c == ',') {
      flush(i);
      start = i + 1;
    }
  }
  flush(body.size());
  return out;
}

inline std::vector<std::string> ExpectedKeyText(const rd::Columns& columns,
                                                std::string_view lit) {
  if (columns.key_type->kind == rd::TypeKind::kComposite) {
    return SplitTupleLiteral(lit);
  }
  return {Unquote(lit)};
}

inline std::vector<std::string> ExpectedClusteringText(const Json& list) {
  std::vector<std::string> out;
  if (!list.is_array()) return out;
  for (const Json& c : list) out.push_back(Unquote(c.get<std::string>()));
  return out;
}

inline std::string JoinText(const std::vector<std::string>& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += v[i].size() > 60 ? v[i].substr(0, 60) + "...(" +
                                std::to_string(v[i].size()) + " chars)"
                          : v[i];
  }
  return s + ")";
}

// ---------------------------------------------------------------------------
// Value comparison.

// "19:45:05.090" / "19:45:05.090000000" -> nanoseconds of the day.
inline std::optional<int64_t> ParseTimeOfDay(const std::string& s) {
  int h = 0, m = 0, sec = 0;
  char frac[16] = {0};
  int n = std::sscanf(s.c_str(), "%d:%d:%d.%15[0-9]", &h, &m, &sec, frac);
  if (n < 3) return std::nullopt;
  int64_t ns = ((h * 60LL + m) * 60LL + sec) * 1'000'000'000LL;
  std::string f(frac);
  f.resize(9, '0');
  if (n == 4) ns += std::stoll(f);
  return ns;
}

inline double AsDouble(const Json& j) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s == "NaN") return std::nan("");
    if (s == "Infinity") return INFINITY;
    if (s == "-Infinity") return -INFINITY;
  }
  return std::nan("1");
}

// Compares an expected.json value with our CQL JSON rendering (parsed).
// Returns "" when they match, else why not.
inline std::string CompareJson(const Json& want, const Json& got,
                               const rd::CqlType& type) {
  auto mismatch = [&]() {
    return "expected " + want.dump() + ", got " + got.dump();
  };
  switch (type.kind) {
    case rd::TypeKind::kFloat: {
      double a = AsDouble(want), b = AsDouble(got);
      if (std::isnan(a) && std::isnan(b)) return "";
      return static_cast<float>(a) == static_cast<float>(b) ? "" : mismatch();
    }
    case rd::TypeKind::kDouble: {
      double a = AsDouble(want), b = AsDouble(got);
      if (std::isnan(a) && std::isnan(b)) return "";
      return (a == b || std::fabs(a - b) <= 1e-12 * std::fabs(a)) ? ""
                                                                  : mismatch();
    }
    case rd::TypeKind::kDecimal:
      if (want.is_number() && got.is_number()) {
        double a = want.get<double>(), b = got.get<double>();
        return (a == b || std::fabs(a - b) <= 1e-15 * std::fabs(a))
                   ? ""
                   : mismatch();
      }
      return want == got ? "" : mismatch();
    case rd::TypeKind::kTime:
      if (want.is_string() && got.is_string()) {
        auto a = ParseTimeOfDay(want.get<std::string>());
        auto b = ParseTimeOfDay(got.get<std::string>());
        return (a && b && *a == *b) ? "" : mismatch();
      }
      return mismatch();
    case rd::TypeKind::kList:
    case rd::TypeKind::kSet:
    case rd::TypeKind::kVector:
    case rd::TypeKind::kTuple: {
      if (!want.is_array() || !got.is_array() || want.size() != got.size()) {
        return mismatch();
      }
      for (size_t i = 0; i < want.size(); ++i) {
        const rd::CqlType* et = nullptr;
        if (type.kind == rd::TypeKind::kTuple) {
          if (i < type.params.size()) et = type.params[i].get();
        } else if (!type.params.empty()) {
          et = type.params[0].get();
        }
        std::string why = et ? CompareJson(want[i], got[i], *et)
                             : (want[i] == got[i] ? "" : mismatch());
        if (!why.empty()) return "element " + std::to_string(i) + ": " + why;
      }
      return "";
    }
    case rd::TypeKind::kMap:
    case rd::TypeKind::kUdt: {
      if (!want.is_object() || !got.is_object() || want.size() != got.size()) {
        return mismatch();
      }
      for (auto it = want.begin(); it != want.end(); ++it) {
        auto g = got.find(it.key());
        if (g == got.end())
          return "missing key \"" + it.key() + "\": " + mismatch();
        const rd::CqlType* vt = nullptr;
        if (type.kind == rd::TypeKind::kMap && type.params.size() == 2) {
          vt = type.params[1].get();
        } else if (type.kind == rd::TypeKind::kUdt) {
          for (size_t i = 0; i < type.field_names.size(); ++i) {
            if (type.field_names[i] == it.key() && i < type.params.size()) {
              vt = type.params[i].get();
            }
          }
        }
        std::string why =
            vt ? CompareJson(*it, *g, *vt) : (*it == *g ? "" : mismatch());
        if (!why.empty()) return "key \"" + it.key() + "\": " + why;
      }
      return "";
    }
    default:
      break;
  }
  if (want.is_number_integer() && got.is_number_integer()) {
    // Compare through the widest exact forms (bigint 2^63-1, varint).
    if (want.is_number_unsigned() || got.is_number_unsigned()) {
      return want.dump() == got.dump() ? "" : mismatch();
    }
    return want.get<int64_t>() == got.get<int64_t>() ? "" : mismatch();
  }
  if (want.is_number() && got.is_number()) {
    return want.get<double>() == got.get<double>() ? "" : mismatch();
  }
  return want == got ? "" : mismatch();
}

// ---------------------------------------------------------------------------
// Counter contexts (Cassandra CounterContext): i16 header length n, n i16
// header entries, then shards of (16-byte counter id, i64 clock, i64 count).
// The test decodes them itself so the reader's counter code has an
// independent oracle.

struct CounterShard {
  std::string counter_id;  // UUID text
  int64_t logical_clock = 0;
  int64_t value = 0;
};

inline std::string UuidText(std::string_view b) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    uint8_t c = static_cast<uint8_t>(b[i]);
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return s;
}

inline int64_t BigEndian64(std::string_view b) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < b.size(); ++i) {
    v = (v << 8) | static_cast<uint8_t>(b[i]);
  }
  return static_cast<int64_t>(v);
}

inline std::optional<std::vector<CounterShard>> DecodeCounterContext(
    std::string_view ctx) {
  std::vector<CounterShard> out;
  if (ctx.empty()) return out;
  if (ctx.size() < 2) return std::nullopt;
  int n = static_cast<int16_t>((static_cast<uint8_t>(ctx[0]) << 8) |
                               static_cast<uint8_t>(ctx[1]));
  if (n < 0) return std::nullopt;
  size_t pos = 2 + 2 * static_cast<size_t>(n);
  if (pos > ctx.size() || (ctx.size() - pos) % 32 != 0) return std::nullopt;
  for (; pos < ctx.size(); pos += 32) {
    CounterShard s;
    s.counter_id = UuidText(ctx.substr(pos, 16));
    s.logical_clock = BigEndian64(ctx.substr(pos + 16, 8));
    s.value = BigEndian64(ctx.substr(pos + 24, 8));
    out.push_back(s);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Range tombstones.

struct RtSegment {
  std::vector<std::string> start;
  bool start_inclusive = true;
  std::vector<std::string> end;
  bool end_inclusive = true;
  rd::DeletionTime deletion;
  size_t start_marker = 0;
  size_t end_marker = 0;
};

inline bool StartInclusive(rd::BoundKind k) {
  return k == rd::BoundKind::kInclStartBound ||
         k == rd::BoundKind::kExclEndInclStartBoundary;
}
inline bool EndInclusive(rd::BoundKind k) {
  return k == rd::BoundKind::kInclEndBound ||
         k == rd::BoundKind::kInclEndExclStartBoundary;
}
inline bool OpensRange(rd::BoundKind k) {
  return k == rd::BoundKind::kInclStartBound ||
         k == rd::BoundKind::kExclStartBound ||
         k == rd::BoundKind::kExclEndInclStartBoundary ||
         k == rd::BoundKind::kInclEndExclStartBoundary;
}
inline bool ClosesRange(rd::BoundKind k) {
  return k == rd::BoundKind::kInclEndBound ||
         k == rd::BoundKind::kExclEndBound ||
         k == rd::BoundKind::kExclEndInclStartBoundary ||
         k == rd::BoundKind::kInclEndExclStartBoundary;
}
inline bool IsBoundaryKind(rd::BoundKind k) {
  return k == rd::BoundKind::kExclEndInclStartBoundary ||
         k == rd::BoundKind::kInclEndExclStartBoundary;
}

inline std::string DeletionText(const rd::DeletionTime& d) {
  return "{ts=" + std::to_string(d.marked_for_delete_at) +
         ", ldt=" + std::to_string(d.local_deletion_time) + "}";
}

// Checks the marker invariants of one partition (what Cassandra's writer
// guarantees and Scylla's reader enforces) and returns the violations:
// no open while open, no close while closed, close/boundary deletion equal
// to the open one, bound kinds only bounds/boundaries, nothing left open.
inline std::vector<std::string> MarkerViolations(const OwnedPartition& p) {
  std::vector<std::string> out;
  std::optional<rd::DeletionTime> open;
  for (size_t i = 0; i < p.markers.size(); ++i) {
    const OwnedMarker& m = p.markers[i];
    std::string where =
        "marker " + std::to_string(i) + " at " + JoinText(m.bound_text);
    if (!OpensRange(m.kind) && !ClosesRange(m.kind)) {
      out.push_back(where + ": kind " +
                    std::to_string(static_cast<int>(m.kind)) +
                    " is not a bound");
      continue;
    }
    if (IsBoundaryKind(m.kind)) {
      if (!open) {
        out.push_back(where + ": boundary while no range is open");
      } else if (!(*open == m.end_deletion)) {
        out.push_back(where + ": boundary closes " +
                      DeletionText(m.end_deletion) + " but " +
                      DeletionText(*open) + " is open");
      }
      open = m.start_deletion;
    } else if (OpensRange(m.kind)) {
      if (open) {
        out.push_back(where + ": opens " + DeletionText(m.deletion) +
                      " while " + DeletionText(*open) + " is open");
      }
      open = m.deletion;
    } else {
      if (!open) {
        out.push_back(where + ": closes " + DeletionText(m.deletion) +
                      " that was not opened");
      } else if (!(*open == m.deletion)) {
        out.push_back(where + ": closes " + DeletionText(m.deletion) + " but " +
                      DeletionText(*open) + " is open");
      }
      open.reset();
    }
  }
  if (open) out.push_back("range " + DeletionText(*open) + " never closed");
  return out;
}

// The stored ranges of one partition, in order (assumes no violations).
inline std::vector<RtSegment> Segments(const OwnedPartition& p) {
  std::vector<RtSegment> out;
  std::optional<RtSegment> cur;
  for (size_t i = 0; i < p.markers.size(); ++i) {
    const OwnedMarker& m = p.markers[i];
    if (ClosesRange(m.kind) && cur) {
      cur->end = m.bound_text;
      cur->end_inclusive = EndInclusive(m.kind);
      cur->end_marker = i;
      out.push_back(*cur);
      cur.reset();
    }
    if (OpensRange(m.kind)) {
      RtSegment s;
      s.start = m.bound_text;
      s.start_inclusive = StartInclusive(m.kind);
      s.start_marker = i;
      s.deletion = IsBoundaryKind(m.kind) ? m.start_deletion : m.deletion;
      cur = s;
    }
  }
  return out;
}

}  // namespace sstablefs::testing::corpus

#endif  // SSTABLEFS_TESTS_CORPUS_FACTS_H_
