// CQL type text parsing and rendering: see cql_type_text.h. The grammar is
// Cassandra's (Parser.g comparatorType / CQL3Type.Raw):
//   type := native | 'list' '<' type '>' | 'set' '<' type '>'
//         | 'map' '<' type ',' type '>' | 'tuple' '<' type (',' type)* '>'
//         | 'vector' '<' type ',' INTEGER '>' | 'frozen' '<' type '>'
//         | [ks '.'] udt_name | STRING_LITERAL (custom class name)
#include "reader/cql_type_text.h"

#include <algorithm>
#include <memory>
#include <string>

namespace sstablefs::reader {
namespace {

using MutableType = std::shared_ptr<CqlType>;

struct NativeName {
  const char* name;
  TypeKind kind;
};

constexpr NativeName kNativeNames[] = {
    {"ascii", TypeKind::kAscii},
    {"bigint", TypeKind::kBigint},
    {"blob", TypeKind::kBlob},
    {"boolean", TypeKind::kBoolean},
    {"counter", TypeKind::kCounter},
    {"date", TypeKind::kDate},
    {"decimal", TypeKind::kDecimal},
    {"double", TypeKind::kDouble},
    {"duration", TypeKind::kDuration},
    {"float", TypeKind::kFloat},
    {"inet", TypeKind::kInet},
    {"int", TypeKind::kInt},
    {"smallint", TypeKind::kSmallint},
    {"text", TypeKind::kText},
    {"varchar", TypeKind::kText},
    {"time", TypeKind::kTime},
    {"timestamp", TypeKind::kTimestamp},
    {"timeuuid", TypeKind::kTimeuuid},
    {"tinyint", TypeKind::kTinyint},
    {"uuid", TypeKind::kUuid},
    {"varint", TypeKind::kVarint},
    // EmptyType's CQL name: system_schema stores the hidden value column of a
    // dense compact table as "empty".
    {"empty", TypeKind::kEmpty},
};

// Cassandra's reserved_keywords.txt: these need quoting as identifiers.
constexpr const char* kReservedKeywords[] = {
    "add",          "allow",     "alter",      "and",         "apply",
    "asc",          "authorize", "batch",      "begin",       "by",
    "columnfamily", "create",    "delete",     "desc",        "describe",
    "drop",         "entries",   "execute",    "from",        "full",
    "grant",        "if",        "in",         "index",       "infinity",
    "insert",       "into",      "is",         "keyspace",    "limit",
    "materialized", "modify",    "nan",        "norecursive", "not",
    "null",         "of",        "on",         "or",          "order",
    "primary",      "rename",    "revoke",     "schema",      "select",
    "set",          "table",     "to",         "token",       "truncate",
    "unlogged",     "update",    "use",        "using",       "view",
    "where",        "with",      "constraint", "length",      "check",
};

MutableType Copy(const CqlType& t) { return std::make_shared<CqlType>(t); }

class TypeParser {
 public:
  TypeParser(cql::TokenCursor* cur, std::string_view keyspace,
             const UdtResolver& resolver, std::vector<std::string>* warnings)
      : cur_(cur),
        keyspace_(keyspace),
        resolver_(resolver),
        warnings_(warnings) {}

  Result<MutableType> Parse(int depth, bool frozen) {
    if (depth > kMaxTypeNestingDepth) {
      return cur_->Error("types nested too deeply");
    }
    const cql::Token& t = cur_->Peek();
    if (t.kind == cql::Token::Kind::kString) {
      std::string class_name = cur_->Next().text;
      auto parsed = ParseMarshalType(class_name);
      if (!parsed.ok()) {
        return cur_->Error("bad custom type: " + parsed.status().message());
      }
      MutableType m = Copy(**parsed);
      if (frozen) m->frozen = true;
      return m;
    }
    if (!t.IsName()) return cur_->Error("expected a type");
    if (t.kind == cql::Token::Kind::kIdentifier && cur_->Peek(1).IsPunct('<')) {
      return ParseParameterised(depth, frozen);
    }
    if (t.kind == cql::Token::Kind::kIdentifier &&
        !cur_->Peek(1).IsPunct('.')) {
      for (const NativeName& n : kNativeNames) {
        if (t.text == n.name) {
          cur_->Next();
          MutableType m = Copy(*SimpleType(n.kind));
          m->frozen = frozen;
          if (n.kind == TypeKind::kEmpty) {
            m->class_name = "org.apache.cassandra.db.marshal.EmptyType";
          }
          return m;
        }
      }
    }
    return ParseUdt(frozen);
  }

 private:
  Status Expect(char c) {
    if (!cur_->ConsumePunct(c)) {
      return cur_->Error(std::string("expected '") + c + "'");
    }
    return Status::Ok();
  }

  Result<MutableType> ParseParameterised(int depth, bool frozen) {
    std::string word = cur_->Next().text;
    cur_->Next();  // '<'
    if (word == "frozen") {
      SSTFS_ASSIGN_OR_RETURN(MutableType inner, Parse(depth + 1, true));
      SSTFS_RETURN_IF_ERROR(Expect('>'));
      return inner;
    }
    auto m = std::make_shared<CqlType>();
    m->frozen = frozen;
    if (word == "list" || word == "set" || word == "map" || word == "tuple") {
      do {
        SSTFS_ASSIGN_OR_RETURN(MutableType p, Parse(depth + 1, true));
        m->params.push_back(std::move(p));
      } while (cur_->ConsumePunct(','));
      SSTFS_RETURN_IF_ERROR(Expect('>'));
      size_t n = m->params.size();
      if (word == "list" || word == "set") {
        if (n != 1) return cur_->Error(word + " takes one type parameter");
        m->kind = word == "list" ? TypeKind::kList : TypeKind::kSet;
      } else if (word == "map") {
        if (n != 2) return cur_->Error("map takes two type parameters");
        m->kind = TypeKind::kMap;
      } else {
        m->kind = TypeKind::kTuple;
        m->frozen = true;  // tuples are always frozen
      }
      return m;
    }
    if (word == "vector") {
      m->kind = TypeKind::kVector;
      m->frozen = true;
      SSTFS_ASSIGN_OR_RETURN(MutableType p, Parse(depth + 1, true));
      m->params.push_back(std::move(p));
      SSTFS_RETURN_IF_ERROR(Expect(','));
      const cql::Token& d = cur_->Peek();
      int64_t dim = 0;
      bool digits = d.kind == cql::Token::Kind::kNumber && !d.text.empty();
      for (char c : d.text) {
        if (c < '0' || c > '9' || dim > (1 << 24)) digits = false;
        if (digits) dim = dim * 10 + (c - '0');
      }
      if (!digits || dim <= 0 || dim > (1 << 24)) {
        return cur_->Error("expected a positive vector dimension");
      }
      cur_->Next();
      m->vector_dimension = static_cast<int>(dim);
      SSTFS_RETURN_IF_ERROR(Expect('>'));
      return m;
    }
    return cur_->Error("unknown parameterised type '" + word + "'");
  }

  Result<MutableType> ParseUdt(bool frozen) {
    std::string keyspace(keyspace_);
    std::string name = cur_->Next().text;
    if (cur_->ConsumePunct('.')) {
      if (!cur_->Peek().IsName()) return cur_->Error("expected a type name");
      keyspace = std::move(name);
      name = cur_->Next().text;
    }
    CqlTypePtr def = resolver_ ? resolver_(keyspace, name) : nullptr;
    MutableType m;
    if (def != nullptr) {
      m = Copy(*def);
    } else {
      m = std::make_shared<CqlType>();
      m->kind = TypeKind::kUdt;
      m->udt_keyspace = keyspace;
      m->udt_name = name;
      if (resolver_ && warnings_ != nullptr) {
        warnings_->push_back("unknown user type " + keyspace + "." + name);
      }
    }
    m->frozen = frozen;
    return m;
  }

  cql::TokenCursor* cur_;
  std::string_view keyspace_;
  const UdtResolver& resolver_;
  std::vector<std::string>* warnings_;
};

void AppendParams(const CqlType& t, std::string* out) {
  for (size_t i = 0; i < t.params.size(); ++i) {
    if (i > 0) *out += ", ";
    *out += CqlTypeToCql(*t.params[i]);
  }
}

bool IsMultiCellCapable(TypeKind k) {
  return k == TypeKind::kList || k == TypeKind::kSet || k == TypeKind::kMap ||
         k == TypeKind::kUdt;
}

}  // namespace

Result<CqlTypePtr> ParseCqlType(cql::TokenCursor* cursor,
                                std::string_view keyspace,
                                const UdtResolver& resolver,
                                std::vector<std::string>* warnings) {
  TypeParser p(cursor, keyspace, resolver, warnings);
  SSTFS_ASSIGN_OR_RETURN(MutableType t, p.Parse(0, false));
  return CqlTypePtr(std::move(t));
}

Result<CqlTypePtr> ParseCqlTypeText(std::string_view text,
                                    std::string_view keyspace,
                                    const UdtResolver& resolver,
                                    std::vector<std::string>* warnings) {
  SSTFS_ASSIGN_OR_RETURN(std::vector<cql::Token> tokens,
                         cql::Tokenize(text, "type"));
  // The cursor keeps a view of its origin: hold the string for its life.
  std::string origin = "type \"" + std::string(text.substr(0, 200)) + "\"";
  cql::TokenCursor cursor(&tokens, origin);
  SSTFS_ASSIGN_OR_RETURN(CqlTypePtr t,
                         ParseCqlType(&cursor, keyspace, resolver, warnings));
  if (!cursor.AtEnd()) return cursor.Error("unexpected text after the type");
  return t;
}

std::string CqlTypeToCql(const CqlType& t) {
  std::string s;
  switch (t.kind) {
    case TypeKind::kList:
    case TypeKind::kSet:
    case TypeKind::kMap:
    case TypeKind::kTuple:
      s = t.kind == TypeKind::kList  ? "list<"
          : t.kind == TypeKind::kSet ? "set<"
          : t.kind == TypeKind::kMap ? "map<"
                                     : "tuple<";
      AppendParams(t, &s);
      s += ">";
      return t.frozen ? "frozen<" + s + ">" : s;
    case TypeKind::kUdt:
      s = MaybeQuoteIdentifier(t.udt_name);
      return t.frozen ? "frozen<" + s + ">" : s;
    case TypeKind::kVector:
      s = "vector<";
      AppendParams(t, &s);
      return s + ", " + std::to_string(t.vector_dimension) + ">";
    default:
      // Native types (CqlName knows them and the custom spellings), custom,
      // composite and empty as a quoted class name.
      return t.CqlName();
  }
}

bool SameCqlType(const CqlType& a, const CqlType& b, bool compare_reversed) {
  if (a.kind != b.kind) return false;
  if (compare_reversed && a.reversed != b.reversed) return false;
  if (IsMultiCellCapable(a.kind) && a.frozen != b.frozen) return false;
  if (a.params.size() != b.params.size()) return false;
  for (size_t i = 0; i < a.params.size(); ++i) {
    if (!SameCqlType(*a.params[i], *b.params[i], compare_reversed)) {
      return false;
    }
  }
  switch (a.kind) {
    case TypeKind::kUdt:
      return a.udt_name == b.udt_name && a.field_names == b.field_names;
    case TypeKind::kVector:
      return a.vector_dimension == b.vector_dimension;
    case TypeKind::kCustom:
      return a.class_name == b.class_name;
    default:
      return true;
  }
}

CqlTypePtr WithReversed(const CqlTypePtr& type, bool reversed) {
  if (type == nullptr || type->reversed == reversed) return type;
  MutableType m = Copy(*type);
  m->reversed = reversed;
  return m;
}

void CollectUdts(const CqlTypePtr& type, std::vector<CqlTypePtr>* out) {
  if (type == nullptr) return;
  for (const CqlTypePtr& p : type->params) CollectUdts(p, out);
  if (type->kind != TypeKind::kUdt) return;
  bool seen = std::any_of(out->begin(), out->end(), [&](const CqlTypePtr& u) {
    return u->udt_keyspace == type->udt_keyspace &&
           u->udt_name == type->udt_name;
  });
  if (!seen) out->push_back(type);
}

std::string MaybeQuoteIdentifier(std::string_view name) {
  bool plain = !name.empty() && name[0] >= 'a' && name[0] <= 'z';
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      plain = false;
    }
  }
  if (plain) {
    for (const char* kw : kReservedKeywords) {
      if (name == kw) plain = false;
    }
  }
  if (plain) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QuoteCqlString(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace sstablefs::reader
