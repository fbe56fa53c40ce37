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
//    TypeKind::kCustom, which renders as a blob (callers warn). It fails only
//    on a syntactically broken string (unbalanced parentheses and the like).
//  - Rendering functions never fail: a value whose bytes do not fit the type
//    (wrong length, truncated collection, ...) renders as a blob "0x..." so a
//    dump never stops on one odd cell. Text that is not UTF-8 is kept: JSON
//    escapes each bad byte as \u00XX, literal/dump text passes bytes through.
//    They append to `out`; per call they allocate only for rare shapes
//    (varints over 8 bytes, decimals, composite keys).
//  - CqlType objects are immutable and shared (std::shared_ptr<const CqlType>);
//    thread-safe to use from any thread.
#ifndef SSTABLEFS_READER_TYPES_H_
#define SSTABLEFS_READER_TYPES_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reader/byte_view.h"
#include "reader/status.h"

namespace sstablefs::reader {

enum class TypeKind {
  kAscii,
  kBigint,
  kBlob,
  kBoolean,
  kCounter,
  kDate,
  kDecimal,
  kDouble,
  kDuration,
  kFloat,
  kInet,
  kInt,
  kSmallint,
  kText,
  kTime,
  kTimestamp,
  kTimeuuid,
  kTinyint,
  kUuid,
  kVarint,
  kList,
  kSet,
  kMap,
  kTuple,
  kUdt,
  kVector,
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
// Accepts full (org.apache.cassandra.db.marshal.X) and short (X) class names
// and whitespace between tokens. Type parameters nest at most
// kMaxTypeNestingDepth levels (fails beyond: hostile input). Children of any
// parameterised type are marked `frozen` (Cassandra only allows frozen types
// inside collections, tuples, UDTs and vectors).
inline constexpr int kMaxTypeNestingDepth = 64;
Result<CqlTypePtr> ParseMarshalType(std::string_view s);

// The CqlType of a simple (parameterless) kind, e.g. for tests and defaults.
// REQUIRES: kind is not a list/set/map/tuple/udt/vector/composite.
CqlTypePtr SimpleType(TypeKind kind);

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

// One cell of a multi-cell (non-frozen) collection or UDT, in the order the
// cells are stored (path order). `path` is CellPath component 0: list -> a
// timeuuid (ignored), set -> the element, map -> the key, UDT -> the field
// position as a 2-byte big-endian short (UserType.cellPathForField). `value`
// is the cell value (empty for set cells). The views need only live for the
// call.
using MultiCellEntry = std::pair<ByteView /*path*/, ByteView /*value*/>;

// Render the live cells of a multi-cell column as ONE value, exactly as the
// frozen equivalent would render: list -> values in path order, set -> the
// paths, map -> path: value, UDT -> object of all fields (missing -> null).
// `type` is the column type (IsMultiCell()); for other types the first
// cell's value is rendered as a plain value.
void AppendMultiCellJson(const CqlType& type,
                         std::span<const MultiCellEntry> cells,
                         std::string* out);
void AppendMultiCellCqlLiteral(const CqlType& type,
                               std::span<const MultiCellEntry> cells,
                               bool quote_strings, std::string* out);

// The type of a multi-cell column's cell path (list: timeuuid, set/map: the
// element/key type, UDT: smallint field position) and of its cell values
// (list: element, set: empty, map: value type; UDT: see UdtFieldType).
// Returns nullptr when `type` is not multi-cell.
CqlTypePtr CellPathType(const CqlType& type);
CqlTypePtr CellValueType(const CqlType& type);
// UDT: the type of field `position`, or nullptr if out of range.
CqlTypePtr UdtFieldType(const CqlType& type, int position);
// Decodes a UDT cell path (2-byte big-endian field position); -1 if invalid.
int UdtFieldPosition(ByteView path);

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
