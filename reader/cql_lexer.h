// A small CQL tokenizer for the schema parser (cql_parser.h) and for CQL
// type text (cql_type_text.h). Not a full CQL lexer: it knows what CREATE
// TYPE / CREATE TABLE / ALTER TABLE statements and type strings need.
//
// Tokens:
//   identifier   [A-Za-z_][A-Za-z0-9_$]*, case-folded to lower case (CQL
//                unquoted identifiers are case-insensitive)
//   quoted name  "..." with "" for a quote; kept as written (case-sensitive)
//   string       '...' with '' for a quote, or $$...$$
//   number       [+-]?digits[.digits][e[+-]digits], also a UUID
//                (8-4-4-4-12 hex) and hex blobs 0x...; kept as written
//   punctuation  any other single character: ( ) < > , ; = . { } [ ] :
// Comments (-- and // to the end of the line, /* ... */) and whitespace are
// skipped. Every token records its 1-based line for error messages.
//
// Contract: Tokenize never fails on arbitrary bytes except for an
// unterminated string, quoted name or block comment (kInvalidArgument naming
// `origin` and the line). Linear in the input; thread-safe (pure).
#ifndef SSTABLEFS_READER_CQL_LEXER_H_
#define SSTABLEFS_READER_CQL_LEXER_H_

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "reader/status.h"

namespace sstablefs::reader::cql {

struct Token {
  enum class Kind { kIdentifier, kQuotedName, kString, kNumber, kPunct, kEnd };
  Kind kind = Kind::kEnd;
  // identifier: lower-cased; quoted name / string: unescaped content;
  // number: as written; punct: the character.
  std::string text;
  // The token exactly as it appears in the input (for option values).
  std::string_view raw;
  int line = 0;

  bool IsPunct(char c) const {
    return kind == Kind::kPunct && text.size() == 1 && text[0] == c;
  }
  // An unquoted identifier equal to `word` (lower-case).
  bool IsWord(std::string_view word) const {
    return kind == Kind::kIdentifier && text == word;
  }
  // An identifier or a quoted name: something usable as a name.
  bool IsName() const {
    return kind == Kind::kIdentifier || kind == Kind::kQuotedName;
  }
};

// Tokenizes `input`; the last token is always kEnd. The Token::raw views point
// into `input`, which must outlive the tokens.
Result<std::vector<Token>> Tokenize(std::string_view input,
                                    std::string_view origin);

// A read position in a token vector with the small helpers parsers need.
// The vector must end with a kEnd token (Tokenize guarantees it).
class TokenCursor {
 public:
  TokenCursor(const std::vector<Token>* tokens, std::string_view origin)
      : tokens_(tokens), origin_(origin) {}

  const Token& Peek(size_t ahead = 0) const;
  const Token& Next();
  bool AtEnd() const { return Peek().kind == Token::Kind::kEnd; }
  // Consumes the token when it is the punctuation `c` / the word `word`.
  bool ConsumePunct(char c);
  bool ConsumeWord(std::string_view word);
  // Consumes a sequence of words ("primary", "key"); all or nothing.
  bool ConsumeWords(std::initializer_list<std::string_view> words);
  size_t position() const { return pos_; }
  void set_position(size_t pos) { pos_ = pos; }

  // kInvalidArgument "<origin>:<line>: <why> (near '<token>')".
  Status Error(std::string_view why) const;

 private:
  const std::vector<Token>* tokens_;
  std::string_view origin_;
  size_t pos_ = 0;
};

}  // namespace sstablefs::reader::cql

#endif  // SSTABLEFS_READER_CQL_LEXER_H_
