// ParseMarshalType and the CqlType accessors (FixedLength, IsMultiCell,
// CqlName). Grammar follows Cassandra's TypeParser:
//   type   := name [ '(' params ')' ]
//   name   := identifier chars [A-Za-z0-9._+&$-]
//   params := type (',' type)* (List/Set/Map/Tuple/Composite)
//           | ks ',' hexname (',' hexfield ':' type)*   (UserType)
//           | type ',' integer                    (VectorType)
// Unknown names (and DynamicCompositeType, ColumnToCollectionType, ...) become
// kCustom; their parameter text is skipped with balanced parentheses.
#include <cstring>
#include <string>

#include "reader/types.h"

namespace sstablefs::reader {
namespace {

using MutableType = std::shared_ptr<CqlType>;

bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
         c == '+' || c == '&' || c == '$';
}

struct SimpleName {
  const char* name;
  TypeKind kind;
};

// Short class names of the parameterless types.
constexpr SimpleName kSimpleNames[] = {
    {"AsciiType", TypeKind::kAscii},
    {"LongType", TypeKind::kBigint},
    {"BytesType", TypeKind::kBlob},
    {"BooleanType", TypeKind::kBoolean},
    {"CounterColumnType", TypeKind::kCounter},
    {"SimpleDateType", TypeKind::kDate},
    {"DecimalType", TypeKind::kDecimal},
    {"DoubleType", TypeKind::kDouble},
    {"DurationType", TypeKind::kDuration},
    {"FloatType", TypeKind::kFloat},
    {"InetAddressType", TypeKind::kInet},
    {"Int32Type", TypeKind::kInt},
    {"ShortType", TypeKind::kSmallint},
    {"UTF8Type", TypeKind::kText},
    {"TimeType", TypeKind::kTime},
    {"TimestampType", TypeKind::kTimestamp},
    // DateType: the pre-2.0 timestamp; same bytes, unsigned comparison.
    {"DateType", TypeKind::kTimestamp},
    {"TimeUUIDType", TypeKind::kTimeuuid},
    {"ByteType", TypeKind::kTinyint},
    {"UUIDType", TypeKind::kUuid},
    // LexicalUUIDType: 16 bytes like UUIDType, compared as signed longs.
    {"LexicalUUIDType", TypeKind::kUuid},
    {"IntegerType", TypeKind::kVarint},
    {"EmptyType", TypeKind::kEmpty},
};

int HexNibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool HexDecode(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->clear();
  out->reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexNibble(hex[i]);
    int lo = HexNibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<CqlTypePtr> ParseAll() {
    auto t = ParseType(0, false);
    if (!t.ok()) return t.status();
    SkipSpace();
    if (pos_ != s_.size()) return Error("unexpected trailing text");
    return CqlTypePtr(std::move(t).value());
  }

 private:
  Status Error(std::string_view why) const {
    std::string shown(s_.substr(0, 200));
    if (s_.size() > 200) shown += "...";
    return Status::Corruption("malformed type \"" + shown +
                              "\": " + std::string(why) + " at character " +
                              std::to_string(pos_));
  }

  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' ||
                                s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Peek(char c) {
    SkipSpace();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  bool Consume(char c) {
    if (!Peek(c)) return false;
    ++pos_;
    return true;
  }
  std::string_view Identifier() {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < s_.size() && IsIdentChar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  // Skips a balanced "( ... )" starting at pos_ (which holds '(').
  Status SkipBalanced() {
    int level = 0;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '(') ++level;
      if (c == ')' && --level == 0) return Status::Ok();
    }
    return Error("unbalanced parentheses");
  }

  Result<MutableType> ParseType(int depth, bool frozen) {
    if (depth > kMaxTypeNestingDepth) return Error("types nested too deeply");
    size_t start = (SkipSpace(), pos_);
    std::string_view name = Identifier();
    if (name.empty()) return Error("expected a type name");
    size_t dot = name.rfind('.');
    std::string_view short_name =
        dot == std::string_view::npos ? name : name.substr(dot + 1);

    if (short_name == "FrozenType" || short_name == "ReversedType") {
      if (!Consume('(')) return Error("expected '('");
      auto inner = ParseType(depth + 1, frozen || short_name == "FrozenType");
      if (!inner.ok()) return inner.status();
      if (!Consume(')')) return Error("expected ')'");
      MutableType t = std::move(inner).value();
      if (short_name == "ReversedType") t->reversed = true;
      return t;
    }

    auto t = std::make_shared<CqlType>();
    t->frozen = frozen;
    t->class_name = std::string(name);
    for (const SimpleName& sn : kSimpleNames) {
      if (short_name == sn.name) {
        t->kind = sn.kind;
        if (Peek('(')) break;  // parameterised: not the type we know
        return t;
      }
    }
    Status st;
    if (short_name == "ListType" || short_name == "SetType" ||
        short_name == "MapType" || short_name == "TupleType" ||
        short_name == "CompositeType") {
      st = ParseTypeList(t.get(), short_name, depth);
    } else if (short_name == "UserType") {
      st = ParseUserType(t.get(), depth);
    } else if (short_name == "VectorType") {
      st = ParseVectorType(t.get(), depth);
    } else {
      t->kind = TypeKind::kCustom;
      if (Peek('(')) st = SkipBalanced();
      if (st.ok()) t->class_name = std::string(s_.substr(start, pos_ - start));
    }
    if (!st.ok()) return st;
    return t;
  }

  Status ParseParamsInto(CqlType* t, int depth) {
    if (!Consume('(')) return Error("expected '('");
    if (Consume(')')) return Status::Ok();
    do {
      auto p = ParseType(depth + 1, true);
      if (!p.ok()) return p.status();
      t->params.push_back(std::move(p).value());
    } while (Consume(','));
    if (!Consume(')')) return Error("expected ')' or ','");
    return Status::Ok();
  }

  Status ParseTypeList(CqlType* t, std::string_view short_name, int depth) {
    SSTFS_RETURN_IF_ERROR(ParseParamsInto(t, depth));
    size_t n = t->params.size();
    if (short_name == "ListType" || short_name == "SetType") {
      t->kind = short_name == "ListType" ? TypeKind::kList : TypeKind::kSet;
      if (n != 1) return Error("a list/set takes one type parameter");
    } else if (short_name == "MapType") {
      t->kind = TypeKind::kMap;
      if (n != 2) return Error("a map takes two type parameters");
    } else {
      t->kind =
          short_name == "TupleType" ? TypeKind::kTuple : TypeKind::kComposite;
      if (n == 0) return Error("a tuple/composite needs type parameters");
      // Tuples are never multi-cell in the formats we read.
      if (t->kind == TypeKind::kTuple) t->frozen = true;
    }
    return Status::Ok();
  }

  Status ParseUserType(CqlType* t, int depth) {
    t->kind = TypeKind::kUdt;
    if (!Consume('(')) return Error("expected '('");
    t->udt_keyspace = std::string(Identifier());
    if (!Consume(',')) return Error("expected ',' after the UDT keyspace");
    std::string_view hex_name = Identifier();
    if (!HexDecode(hex_name, &t->udt_name)) {
      return Error("UDT name is not hex");
    }
    while (Consume(',')) {
      std::string_view hex_field = Identifier();
      std::string field;
      if (!HexDecode(hex_field, &field)) return Error("UDT field is not hex");
      if (!Consume(':')) return Error("expected ':' after a UDT field name");
      auto p = ParseType(depth + 1, true);
      if (!p.ok()) return p.status();
      t->field_names.push_back(std::move(field));
      t->params.push_back(std::move(p).value());
    }
    if (!Consume(')')) return Error("expected ')' or ','");
    return Status::Ok();
  }

  Status ParseVectorType(CqlType* t, int depth) {
    t->kind = TypeKind::kVector;
    t->frozen = true;
    if (!Consume('(')) return Error("expected '('");
    auto p = ParseType(depth + 1, true);
    if (!p.ok()) return p.status();
    t->params.push_back(std::move(p).value());
    if (!Consume(',')) return Error("expected ',' and a vector dimension");
    std::string_view digits = Identifier();
    int64_t dim = 0;
    if (digits.empty()) return Error("expected a vector dimension");
    for (char c : digits) {
      if (c < '0' || c > '9') return Error("bad vector dimension");
      dim = dim * 10 + (c - '0');
      if (dim > (1 << 24)) return Error("vector dimension too large");
    }
    if (dim <= 0) return Error("vector dimension must be positive");
    t->vector_dimension = static_cast<int>(dim);
    if (!Consume(')')) return Error("expected ')'");
    return Status::Ok();
  }

  std::string_view s_;
  size_t pos_ = 0;
};

const char* SimpleCqlName(TypeKind kind) {
  switch (kind) {
    case TypeKind::kAscii:
      return "ascii";
    case TypeKind::kBigint:
      return "bigint";
    case TypeKind::kBlob:
      return "blob";
    case TypeKind::kBoolean:
      return "boolean";
    case TypeKind::kCounter:
      return "counter";
    case TypeKind::kDate:
      return "date";
    case TypeKind::kDecimal:
      return "decimal";
    case TypeKind::kDouble:
      return "double";
    case TypeKind::kDuration:
      return "duration";
    case TypeKind::kFloat:
      return "float";
    case TypeKind::kInet:
      return "inet";
    case TypeKind::kInt:
      return "int";
    case TypeKind::kSmallint:
      return "smallint";
    case TypeKind::kText:
      return "text";
    case TypeKind::kTime:
      return "time";
    case TypeKind::kTimestamp:
      return "timestamp";
    case TypeKind::kTimeuuid:
      return "timeuuid";
    case TypeKind::kTinyint:
      return "tinyint";
    case TypeKind::kUuid:
      return "uuid";
    case TypeKind::kVarint:
      return "varint";
    default:
      return nullptr;
  }
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Result<CqlTypePtr> ParseMarshalType(std::string_view s) {
  return Parser(s).ParseAll();
}

CqlTypePtr SimpleType(TypeKind kind) {
  auto t = std::make_shared<CqlType>();
  t->kind = kind;
  return t;
}

int CqlType::FixedLength() const {
  // AbstractType.valueLengthIfFixed(): only these override it. ShortType,
  // ByteType, SimpleDateType, TimeType and CounterColumnType do NOT (their
  // values are length-prefixed on disk in every version).
  switch (kind) {
    case TypeKind::kBoolean:
      return 1;
    case TypeKind::kInt:
    case TypeKind::kFloat:
      return 4;
    case TypeKind::kBigint:
    case TypeKind::kDouble:
    case TypeKind::kTimestamp:
      return 8;  // TimestampType and DateType
    case TypeKind::kUuid:
    case TypeKind::kTimeuuid:
      return 16;  // also LexicalUUIDType
    case TypeKind::kEmpty:
      return 0;
    case TypeKind::kVector: {
      if (params.empty()) return -1;
      int element = params[0]->FixedLength();
      if (element < 0) return -1;
      int64_t total = static_cast<int64_t>(element) * vector_dimension;
      return total > INT32_MAX ? -1 : static_cast<int>(total);
    }
    default:
      return -1;
  }
}

bool CqlType::IsMultiCell() const {
  switch (kind) {
    case TypeKind::kList:
    case TypeKind::kSet:
    case TypeKind::kMap:
    case TypeKind::kUdt:
      return !frozen;
    default:
      return false;
  }
}

bool CqlType::IsCollection() const {
  return kind == TypeKind::kList || kind == TypeKind::kSet ||
         kind == TypeKind::kMap;
}

std::string CqlType::CqlName() const {
  if (const char* simple = SimpleCqlName(kind)) {
    if (EndsWith(class_name, "LexicalUUIDType") ||
        EndsWith(class_name, ".DateType") || class_name == "DateType") {
      return "'" + class_name + "'";  // cqlsh shows these as custom types
    }
    return simple;
  }
  auto join = [this](std::string* out) {
    for (size_t i = 0; i < params.size(); ++i) {
      if (i > 0) *out += ", ";
      *out += params[i]->CqlName();
    }
  };
  std::string s;
  switch (kind) {
    case TypeKind::kList:
      s = "list<";
      break;
    case TypeKind::kSet:
      s = "set<";
      break;
    case TypeKind::kMap:
      s = "map<";
      break;
    case TypeKind::kTuple:
      s = "tuple<";
      break;
    case TypeKind::kVector:
      s = "vector<";
      if (!params.empty()) s += params[0]->CqlName();
      s += ", " + std::to_string(vector_dimension) + ">";
      return s;
    case TypeKind::kUdt:
      return frozen ? "frozen<" + udt_name + ">" : udt_name;
    default:
      // Composite, custom and empty have no CQL name: cqlsh quotes the class.
      return "'" + (class_name.empty() ? std::string("blob") : class_name) +
             "'";
  }
  join(&s);
  s += ">";
  // Tuples are always frozen; Cassandra's CQL3Type prints them so.
  if (frozen) s = "frozen<" + s + ">";
  return s;
}

// --- Multi-cell structure and composites ----------------------------------

int UdtFieldPosition(ByteView path) {
  if (path.size() != 2) return -1;
  return static_cast<int>((path[0] << 8) | path[1]);
}

CqlTypePtr UdtFieldType(const CqlType& type, int position) {
  if (type.kind != TypeKind::kUdt || position < 0 ||
      static_cast<size_t>(position) >= type.params.size()) {
    return nullptr;
  }
  return type.params[position];
}

CqlTypePtr CellPathType(const CqlType& type) {
  if (!type.IsMultiCell()) return nullptr;
  switch (type.kind) {
    case TypeKind::kList:
      return SimpleType(TypeKind::kTimeuuid);
    case TypeKind::kSet:
    case TypeKind::kMap:
      return type.params[0];
    case TypeKind::kUdt:
      return SimpleType(TypeKind::kSmallint);
    default:
      return nullptr;
  }
}

CqlTypePtr CellValueType(const CqlType& type) {
  if (!type.IsMultiCell()) return nullptr;
  switch (type.kind) {
    case TypeKind::kList:
      return type.params[0];
    case TypeKind::kSet:
      return SimpleType(TypeKind::kEmpty);
    case TypeKind::kMap:
      return type.params[1];
    default:
      return nullptr;  // UDT: per field, see UdtFieldType
  }
}

Result<std::vector<ByteView>> SplitComposite(ByteView value) {
  std::vector<ByteView> parts;
  size_t pos = 0;
  while (pos < value.size()) {
    if (value.size() - pos < 2) {
      return Status::Corruption("composite value truncated in a length");
    }
    size_t len = (size_t{value[pos]} << 8) | value[pos + 1];
    pos += 2;
    if (value.size() - pos < len + 1) {
      return Status::Corruption("composite component overruns the value");
    }
    parts.push_back(value.substr(pos, len));
    pos += len + 1;  // + end-of-component byte
  }
  return parts;
}

}  // namespace sstablefs::reader
