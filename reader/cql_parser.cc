// Schema statement parser: see cql_parser.h. Recursive descent over the
// tokens of cql_lexer.h; the grammar follows Cassandra's Parser.g rules
// createTypeStatement, createTableStatement (cfamDefinition, cfamProperty)
// and alterTableStatement, reduced to what a schema needs.
#include "reader/cql_parser.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "reader/cql_lexer.h"
#include "reader/cql_type_text.h"

namespace sstablefs::reader::cql {
namespace {

class StatementParser {
 public:
  StatementParser(const std::vector<Token>* tokens, std::string_view origin,
                  std::string_view default_keyspace)
      : tokens_(tokens), cur_(tokens, origin), keyspace_(default_keyspace) {}

  Result<ParsedSchema> Run() {
    while (!cur_.AtEnd()) {
      if (cur_.ConsumePunct(';')) continue;
      SSTFS_RETURN_IF_ERROR(Statement());
    }
    return std::move(out_);
  }

 private:
  Status Statement() {
    const Token& first = cur_.Peek();
    if (first.IsWord("create")) {
      if (cur_.Peek(1).IsWord("type")) return CreateType();
      if (cur_.Peek(1).IsWord("table") || cur_.Peek(1).IsWord("columnfamily")) {
        return CreateTable();
      }
    } else if (first.IsWord("alter") && (cur_.Peek(1).IsWord("table") ||
                                         cur_.Peek(1).IsWord("columnfamily"))) {
      return AlterTable();
    } else if (first.IsWord("use") && cur_.Peek(1).IsName()) {
      cur_.Next();
      keyspace_ = cur_.Next().text;
      return EndStatement();
    }
    SkipStatement();
    return Status::Ok();
  }

  // Skips to just after the next ';' (or the end).
  void SkipStatement() {
    const Token& first = cur_.Peek();
    std::string what(first.raw.substr(0, 30));
    if (cur_.Peek(1).kind == Token::Kind::kIdentifier) {
      what += " " + std::string(cur_.Peek(1).raw.substr(0, 30));
    }
    out_.skipped.push_back(what + " at line " + std::to_string(first.line));
    while (!cur_.AtEnd() && !cur_.Peek().IsPunct(';')) cur_.Next();
    cur_.ConsumePunct(';');
  }

  Status EndStatement() {
    if (cur_.ConsumePunct(';') || cur_.AtEnd()) return Status::Ok();
    return cur_.Error("expected ';'");
  }

  Result<std::string> Name(std::string_view what) {
    if (!cur_.Peek().IsName())
      return cur_.Error("expected " + std::string(what));
    return cur_.Next().text;
  }

  // [ks '.'] name
  Status QualifiedName(std::string* keyspace, std::string* name) {
    SSTFS_ASSIGN_OR_RETURN(std::string first, Name("a name"));
    if (cur_.ConsumePunct('.')) {
      *keyspace = std::move(first);
      SSTFS_ASSIGN_OR_RETURN(*name, Name("a name after '.'"));
    } else {
      *keyspace = keyspace_;
      *name = std::move(first);
    }
    return Status::Ok();
  }

  Status Expect(char c) {
    if (cur_.ConsumePunct(c)) return Status::Ok();
    return cur_.Error(std::string("expected '") + c + "'");
  }

  // The text of one type: parsed (to find its end) but kept as written.
  Result<std::string> TypeText() {
    size_t start = cur_.position();
    SSTFS_ASSIGN_OR_RETURN(CqlTypePtr ignored,
                           ParseCqlType(&cur_, keyspace_, nullptr, nullptr));
    (void)ignored;
    return RawText(start, cur_.position());
  }

  // The input text from token `begin` to just before token `end`.
  std::string RawText(size_t begin, size_t end) const {
    if (end <= begin) return {};
    const Token& a = (*tokens_)[begin];
    const Token& b = (*tokens_)[end - 1];
    return std::string(a.raw.data(), b.raw.data() + b.raw.size());
  }

  void SkipIfNotExists() { cur_.ConsumeWords({"if", "not", "exists"}); }

  Status CreateType() {
    ParsedType t;
    t.line = cur_.Next().line;
    cur_.Next();  // TYPE
    SkipIfNotExists();
    SSTFS_RETURN_IF_ERROR(QualifiedName(&t.keyspace, &t.name));
    SSTFS_RETURN_IF_ERROR(Expect('('));
    if (!cur_.Peek().IsPunct(')')) {
      do {
        SSTFS_ASSIGN_OR_RETURN(std::string field, Name("a field name"));
        SSTFS_ASSIGN_OR_RETURN(std::string type, TypeText());
        t.field_names.push_back(std::move(field));
        t.field_type_texts.push_back(std::move(type));
      } while (cur_.ConsumePunct(','));
    }
    SSTFS_RETURN_IF_ERROR(Expect(')'));
    out_.types.push_back(std::move(t));
    return EndStatement();
  }

  // Skips what we do not model after a column's type (MASKED WITH ...,
  // CHECK ...) up to the ',' or ')' that ends the definition.
  void SkipToDefinitionEnd() {
    int depth = 0;
    while (!cur_.AtEnd()) {
      const Token& t = cur_.Peek();
      if (depth == 0 && (t.IsPunct(',') || t.IsPunct(')'))) return;
      if (t.IsPunct('(')) ++depth;
      if (t.IsPunct(')')) --depth;
      if (t.IsPunct(';')) return;
      cur_.Next();
    }
  }

  // col type [STATIC] [PRIMARY KEY]; sets *inline_pk for the latter.
  Status ColumnDefinition(ParsedColumn* c, bool* inline_pk) {
    SSTFS_ASSIGN_OR_RETURN(c->name, Name("a column name"));
    SSTFS_ASSIGN_OR_RETURN(c->type_text, TypeText());
    while (true) {
      if (cur_.ConsumeWord("static")) {
        c->kind = CqlColumnDef::Kind::kStatic;
      } else if (cur_.ConsumeWords({"primary", "key"})) {
        *inline_pk = true;
      } else {
        break;
      }
    }
    SkipToDefinitionEnd();
    return Status::Ok();
  }

  // PRIMARY KEY ( (a, b), c, d ) — after the words PRIMARY KEY.
  Status PrimaryKeyClause(std::vector<std::string>* partition,
                          std::vector<std::string>* clustering) {
    SSTFS_RETURN_IF_ERROR(Expect('('));
    if (cur_.ConsumePunct('(')) {
      do {
        SSTFS_ASSIGN_OR_RETURN(std::string n, Name("a key column"));
        partition->push_back(std::move(n));
      } while (cur_.ConsumePunct(','));
      SSTFS_RETURN_IF_ERROR(Expect(')'));
    } else {
      SSTFS_ASSIGN_OR_RETURN(std::string n, Name("a key column"));
      partition->push_back(std::move(n));
    }
    while (cur_.ConsumePunct(',')) {
      SSTFS_ASSIGN_OR_RETURN(std::string n, Name("a clustering column"));
      clustering->push_back(std::move(n));
    }
    return Expect(')');
  }

  Status CreateTable() {
    ParsedTable t;
    t.line = cur_.Next().line;
    cur_.Next();  // TABLE / COLUMNFAMILY
    SkipIfNotExists();
    SSTFS_RETURN_IF_ERROR(QualifiedName(&t.keyspace, &t.table));
    SSTFS_RETURN_IF_ERROR(Expect('('));
    std::vector<std::string> partition, clustering;
    bool seen_pk = false;
    do {
      if (cur_.Peek().IsWord("primary") && cur_.Peek(1).IsWord("key") &&
          cur_.Peek(2).IsPunct('(')) {
        cur_.Next();
        cur_.Next();
        if (seen_pk) return cur_.Error("more than one PRIMARY KEY");
        seen_pk = true;
        SSTFS_RETURN_IF_ERROR(PrimaryKeyClause(&partition, &clustering));
        continue;
      }
      ParsedColumn c;
      bool inline_pk = false;
      SSTFS_RETURN_IF_ERROR(ColumnDefinition(&c, &inline_pk));
      if (inline_pk) {
        if (seen_pk) return cur_.Error("more than one PRIMARY KEY");
        seen_pk = true;
        partition.push_back(c.name);
      }
      t.columns.push_back(std::move(c));
    } while (cur_.ConsumePunct(','));
    SSTFS_RETURN_IF_ERROR(Expect(')'));
    if (!seen_pk) return cur_.Error("table " + t.table + " has no PRIMARY KEY");
    SSTFS_RETURN_IF_ERROR(
        AssignKeys(partition, CqlColumnDef::Kind::kPartitionKey, &t));
    SSTFS_RETURN_IF_ERROR(
        AssignKeys(clustering, CqlColumnDef::Kind::kClustering, &t));
    if (cur_.ConsumeWord("with")) {
      do {
        SSTFS_RETURN_IF_ERROR(TableProperty(&t));
      } while (cur_.ConsumeWord("and"));
    }
    out_.tables.push_back(std::move(t));
    return EndStatement();
  }

  Status AssignKeys(const std::vector<std::string>& names,
                    CqlColumnDef::Kind kind, ParsedTable* t) {
    for (size_t i = 0; i < names.size(); ++i) {
      auto it = std::find_if(
          t->columns.begin(), t->columns.end(),
          [&](const ParsedColumn& c) { return c.name == names[i]; });
      if (it == t->columns.end()) {
        return cur_.Error("PRIMARY KEY names unknown column '" + names[i] +
                          "'");
      }
      if (it->kind == CqlColumnDef::Kind::kStatic) {
        return cur_.Error("key column '" + names[i] + "' declared static");
      }
      it->kind = kind;
      it->position = static_cast<int>(i);
    }
    return Status::Ok();
  }

  Status TableProperty(ParsedTable* t) {
    if (cur_.ConsumeWords({"clustering", "order", "by"})) {
      SSTFS_RETURN_IF_ERROR(Expect('('));
      do {
        SSTFS_ASSIGN_OR_RETURN(std::string n, Name("a clustering column"));
        if (cur_.ConsumeWord("desc")) {
          t->descending.push_back(std::move(n));
        } else {
          cur_.ConsumeWord("asc");
        }
      } while (cur_.ConsumePunct(','));
      return Expect(')');
    }
    if (cur_.ConsumeWords({"compact", "storage"})) {
      t->compact_storage = true;
      return Status::Ok();
    }
    SSTFS_ASSIGN_OR_RETURN(std::string name, Name("a table option"));
    SSTFS_RETURN_IF_ERROR(Expect('='));
    size_t start = cur_.position();
    SSTFS_RETURN_IF_ERROR(SkipValue());
    std::string value = RawText(start, cur_.position());
    if (name == "id") {
      for (char c : value) {
        if (c == '-') continue;
        t->id += (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
      }
      return Status::Ok();
    }
    t->options.push_back(name + " = " + value);
    return Status::Ok();
  }

  // A constant, a map/set/list literal or an identifier (true/false).
  Status SkipValue() {
    const Token& v = cur_.Peek();
    if (v.IsPunct('{') || v.IsPunct('[')) {
      int depth = 0;
      do {
        const Token& t = cur_.Next();
        if (t.IsPunct('{') || t.IsPunct('[')) ++depth;
        if (t.IsPunct('}') || t.IsPunct(']')) --depth;
        if (t.kind == Token::Kind::kEnd || t.IsPunct(';')) {
          return cur_.Error("unterminated option value");
        }
      } while (depth > 0);
      return Status::Ok();
    }
    if (v.kind == Token::Kind::kString || v.kind == Token::Kind::kNumber ||
        v.kind == Token::Kind::kIdentifier) {
      cur_.Next();
      return Status::Ok();
    }
    return cur_.Error("expected an option value");
  }

  Status AlterTable() {
    ParsedAlter a;
    a.line = cur_.Next().line;
    cur_.Next();  // TABLE
    cur_.ConsumeWords({"if", "exists"});
    SSTFS_RETURN_IF_ERROR(QualifiedName(&a.keyspace, &a.table));
    if (cur_.ConsumeWord("add")) {
      SkipIfNotExists();
      bool paren = cur_.ConsumePunct('(');
      do {
        ParsedColumn c;
        bool inline_pk = false;
        SSTFS_RETURN_IF_ERROR(ColumnDefinition(&c, &inline_pk));
        a.added.push_back(std::move(c));
      } while (cur_.ConsumePunct(','));
      if (paren) SSTFS_RETURN_IF_ERROR(Expect(')'));
    } else if (cur_.ConsumeWord("drop")) {
      cur_.ConsumeWords({"if", "exists"});
      bool paren = cur_.ConsumePunct('(');
      do {
        SSTFS_ASSIGN_OR_RETURN(std::string n, Name("a column name"));
        a.dropped.push_back(std::move(n));
      } while (paren && cur_.ConsumePunct(','));
      if (paren) SSTFS_RETURN_IF_ERROR(Expect(')'));
      if (cur_.ConsumeWords({"using", "timestamp"})) {
        const Token& ts = cur_.Peek();
        char* end = nullptr;
        long long v = ts.kind == Token::Kind::kNumber
                          ? std::strtoll(ts.text.c_str(), &end, 10)
                          : 0;
        if (ts.kind != Token::Kind::kNumber || end == nullptr || *end != 0) {
          return cur_.Error("expected a timestamp");
        }
        a.drop_timestamp_micros = v;
        cur_.Next();
      }
    } else {
      SkipStatement();  // ALTER TABLE ... WITH / RENAME / ALTER col
      return Status::Ok();
    }
    out_.alters.push_back(std::move(a));
    return EndStatement();
  }

  const std::vector<Token>* tokens_;
  TokenCursor cur_;
  std::string keyspace_;
  ParsedSchema out_;
};

}  // namespace

Result<ParsedSchema> ParseSchemaStatements(std::string_view cql,
                                           std::string_view origin,
                                           std::string_view default_keyspace) {
  SSTFS_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(cql, origin));
  return StatementParser(&tokens, origin, default_keyspace).Run();
}

}  // namespace sstablefs::reader::cql
