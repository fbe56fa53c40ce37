// CQL type text <-> CqlType: the syntax CREATE TABLE and system_schema use
// ("map<text, frozen<list<int>>>", "frozen<address>", "tuple<int, text>",
// "vector<float, 3>", "'org.apache.cassandra.db.marshal.DateType'"), as
// opposed to the AbstractType class names ParseMarshalType (types.h) reads
// from SSTable headers. Both produce the same CqlType for the same type:
//  - children of a collection, tuple, UDT or vector are marked frozen (as
//    ParseMarshalType does); tuples and vectors are always frozen;
//  - `frozen<T>` freezes T and everything inside it;
//  - UDT names resolve through a UdtResolver to a kUdt type carrying keyspace,
//    name, field names and field types; an unknown UDT becomes a kUdt without
//    fields and a warning.
// Cassandra's CQLTypeParser / CQL3Type.Raw read the same syntax.
//
// Contract: pure functions, thread-safe. Parsing fails (kInvalidArgument with
// the origin, line and reason) only on text that is not a type; nesting is
// limited to kMaxTypeNestingDepth (types.h).
#ifndef SSTABLEFS_READER_CQL_TYPE_TEXT_H_
#define SSTABLEFS_READER_CQL_TYPE_TEXT_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "reader/cql_lexer.h"
#include "reader/status.h"
#include "reader/types.h"

namespace sstablefs::reader {

// Returns the definition of UDT `name` in `keyspace` (not frozen, fields
// resolved), or nullptr when unknown. `name` is as written after unquoting.
using UdtResolver =
    std::function<CqlTypePtr(std::string_view keyspace, std::string_view name)>;

// Parses one type from `cursor` (stops after it). `keyspace` qualifies
// unqualified UDT names. `resolver` may be null (every UDT is then unknown:
// useful to find where a type ends). Unknown UDTs add a warning to
// `warnings` (may be null).
Result<CqlTypePtr> ParseCqlType(cql::TokenCursor* cursor,
                                std::string_view keyspace,
                                const UdtResolver& resolver,
                                std::vector<std::string>* warnings);

// Parses a whole string that must hold exactly one type.
Result<CqlTypePtr> ParseCqlTypeText(std::string_view text,
                                    std::string_view keyspace,
                                    const UdtResolver& resolver,
                                    std::vector<std::string>* warnings);

// CQL text for `type` as cqlsh's DESCRIBE writes it: "map<text,
// frozen<list<int>>>", UDT names quoted when needed ("frozen<\"Addr\">"),
// custom/composite types as a quoted class name. `reversed` is ignored (it is
// CLUSTERING ORDER, not part of the type).
std::string CqlTypeToCql(const CqlType& type);

// Type equality for schema/header comparison: kind, parameters, frozenness
// of collections and UDTs, UDT name and field names, vector dimension, the
// class name of custom types. Ignores `reversed` unless `compare_reversed`,
// the UDT keyspace and the class-name spelling of the native types.
bool SameCqlType(const CqlType& a, const CqlType& b,
                 bool compare_reversed = false);

// A copy of `type` with `reversed` set (nullptr stays nullptr).
CqlTypePtr WithReversed(const CqlTypePtr& type, bool reversed);

// Every UDT used by `type` (in parameters, fields, at any depth), each once
// by keyspace and name, a nested type before the types that use it.
void CollectUdts(const CqlTypePtr& type, std::vector<CqlTypePtr>* out);

// `name` as a CQL identifier: as is when it matches [a-z][a-z0-9_]* and is
// not a reserved keyword, else double-quoted with '"' doubled
// (ColumnIdentifier.maybeQuote).
std::string MaybeQuoteIdentifier(std::string_view name);

// A CQL string constant: single-quoted, '' for a quote.
std::string QuoteCqlString(std::string_view s);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_CQL_TYPE_TEXT_H_
