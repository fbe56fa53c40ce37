// CQL types as Cassandra names them on disk (AbstractType class names in the
// serialization header), and how their values decode and render.
//
// See reader/FORMAT.md, section "Types". Cassandra writes type names with
// AbstractType.toString(), e.g.
//   org.apache.cassandra.db.marshal.MapType(org.apache.cassandra.db.marshal.UTF8Type,org.apache.cassandra.db.marshal.Int32Type)
//   org.apache.cassandra.db.marshal.FrozenType(org.apache.cassandra.db.marshal.ListType(...))
//   org.apache.cassandra.db.marshal.ReversedType(org.apache.cassandra.db.marshal.TimestampType)
//   org.apache.cassandra.db.marshal.UserType(ks,61646472657373,737472656574:org.apache.cassandra.db.marshal.UTF8Type,...)
//   org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType,3)
// (UDT name and field names are hex-encoded UTF-8.)
//
// Contract:
//  - ParseMarshalType never fails on an unknown class name: it yields
//    TypeKind::kCustom, which renders as a blob (callers warn). It fails only on
//    a syntactically broken string (unbalanced parentheses and the like).
//  - Rendering functions never fail: a value whose bytes do not fit the type
//    (wrong length, bad UTF-8, ...) renders as a blob "0x..." so a dump never
//    stops on one odd cell. They append to `out` and never allocate per call
//    beyond growing `out`.
//  - CqlType objects are immutable and shared (std::shared_ptr<const CqlType>);
//    thread-safe to use from any thread.
#ifndef SSTABLEFS_READER_TYPES_H_
#define SSTABLEFS_READER_TYPES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reader/byte_view.h"
#include "reader/status.h"

namespace sstablefs::reader {

enum class TypeKind {
  kAscii, kBigint, kBlob, kBoolean, kCounter, kDate, kDecimal, kDouble,
  kDuration, kFloat, kInet, kInt, kSmallint, kText, kTime, kTimestamp,
  kTimeuuid, kTinyint, kUuid, kVarint,
  kList, kSet, kMap, kTuple, kUdt, kVector,
  kEmpty,      // EmptyType: always zero bytes
  kComposite,  // CompositeType(...): composite partition keys
  kCustom,     // anything unknown: rendered as blob
};

struct CqlType;
using CqlTypePtr = std::shared_ptr<const CqlType>;

struct CqlType {
  TypeKind kind = TypeKind::kBlob;
  // FrozenType(...) wrapper seen, or a type nested inside a frozen one.
  bool frozen = false;
  // ReversedType(...) wrapper seen (clustering column in DESC order).
  bool reversed = false;
  // list/set/vector: 1 (element); map: 2 (key, value); tuple/composite: n;
  // udt: one per field.
  std::vector<CqlTypePtr> params;
  // UDT only: keyspace, type name and field names, hex-decoded.
  std::string udt_keyspace;
  std::string udt_name;
  std::vector<std::string> field_names;
  int vector_dimension = 0;  // vector only
  // The class name as written on disk (kept for kCustom and for messages).
  std::string class_name;

  // The number of bytes a value of this type always has on disk, or -1 when
  // values are length-prefixed (AbstractType.valueLengthIfFixed()).
  int FixedLength() const;
  // True for a non-frozen collection or UDT: stored as a complex column whose
  // cells carry paths.
  bool IsMultiCell() const;
  bool IsCollection() const;  // list, set or map (frozen or not)
  // CQL name as cqlsh prints it: "map<text, frozen<list<int>>>".
  std::string CqlName() const;
};

// Parses an AbstractType string from the serialization header.
Result<CqlTypePtr> ParseMarshalType(std::string_view s);

// --- Rendering ------------------------------------------------------------
// CQL JSON as `SELECT JSON` returns it (SPEC §3): text as JSON string,
// numbers bare, NaN/Infinity as strings, blobs "0x..", collections as arrays,
// maps as objects (non-text keys as their JSON text), UDTs as objects.
void AppendJson(const CqlType& type, ByteView value, std::string* out);

// CQL literal text as cqlsh prints it / COPY TO writes it: 'quoted' text when
// `quote_strings`, unquoted otherwise (CSV fields and partition folder names
// use unquoted top-level text; nested text inside collections stays quoted).
void AppendCqlLiteral(const CqlType& type, ByteView value, bool quote_strings,
                      std::string* out);

// The string sstabledump prints for a value (AbstractType.getString / the
// type's toJSONString as JsonTransformer uses it), without JSON quoting.
void AppendDumpString(const CqlType& type, ByteView value, std::string* out);

// Appends `s` as a JSON string literal with quotes, escaping as JSON requires;
// invalid UTF-8 bytes are written as \u00XX of the byte (never dropped).
void AppendJsonString(std::string_view s, std::string* out);

// --- Comparison and parsing -------------------------------------------------
// Orders two serialized values the way Cassandra's comparator does
// (AbstractType.compare), ignoring `reversed` (callers apply it).
int CompareValues(const CqlType& type, ByteView a, ByteView b);

// Parses CQL literal text (as AbstractType.fromString / sstabledump -k takes
// it: unquoted text, decimal numbers, uuid, 0x-hex blob, ...) into the value's
// serialized bytes. For kComposite, components are separated by ':'.
Result<std::string> ParseLiteral(const CqlType& type, std::string_view text);

// Splits a composite value (CompositeType encoding: per component u16 length,
// bytes, end-of-component byte) into its components.
Result<std::vector<ByteView>> SplitComposite(ByteView value);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_TYPES_H_
