// The CQL tokenizer: see cql_lexer.h. Follows the lexical rules of
// Cassandra's Lexer.g (identifiers, quoted names with "" escapes, string
// constants with '' escapes and $$ strings, UUID and hex constants, the three
// comment forms) as far as schema statements need them.
#include "reader/cql_lexer.h"

#include <string>

namespace sstablefs::reader::cql {
namespace {

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsIdentChar(char c) {
  return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '$';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

// Length of a UUID (8-4-4-4-12 hex digits) starting at s[i], or 0. A UUID may
// start with a letter, so this is tried before identifiers and numbers.
size_t UuidLength(std::string_view s, size_t i) {
  static constexpr int kGroups[] = {8, 4, 4, 4, 12};
  size_t p = i;
  for (int g = 0; g < 5; ++g) {
    if (g > 0) {
      if (p >= s.size() || s[p] != '-') return 0;
      ++p;
    }
    for (int k = 0; k < kGroups[g]; ++k, ++p) {
      if (p >= s.size() || !IsHex(s[p])) return 0;
    }
  }
  if (p < s.size() && IsIdentChar(s[p])) return 0;
  return p - i;
}

// Length of a number ([-]digits[.digits][e[+-]digits]) or hex blob (0x...)
// at s[i], or 0.
size_t NumberLength(std::string_view s, size_t i) {
  size_t p = i;
  if (p < s.size() && s[p] == '-') ++p;
  if (p >= s.size() || !IsDigit(s[p])) return 0;
  if (s[p] == '0' && p + 1 < s.size() && (s[p + 1] == 'x' || s[p + 1] == 'X')) {
    p += 2;
    while (p < s.size() && IsHex(s[p])) ++p;
    return p - i;
  }
  while (p < s.size() && IsDigit(s[p])) ++p;
  if (p + 1 < s.size() && s[p] == '.' && IsDigit(s[p + 1])) {
    ++p;
    while (p < s.size() && IsDigit(s[p])) ++p;
  }
  if (p < s.size() && (s[p] == 'e' || s[p] == 'E')) {
    size_t q = p + 1;
    if (q < s.size() && (s[q] == '+' || s[q] == '-')) ++q;
    if (q < s.size() && IsDigit(s[q])) {
      p = q;
      while (p < s.size() && IsDigit(s[p])) ++p;
    }
  }
  return p - i;
}

class Lexer {
 public:
  Lexer(std::string_view in, std::string_view origin)
      : in_(in), origin_(origin) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> out;
    while (true) {
      SSTFS_RETURN_IF_ERROR(SkipSpaceAndComments());
      if (pos_ >= in_.size()) break;
      Token t;
      t.line = line_;
      size_t start = pos_;
      SSTFS_RETURN_IF_ERROR(LexOne(&t));
      t.raw = in_.substr(start, pos_ - start);
      out.push_back(std::move(t));
    }
    Token end;
    end.kind = Token::Kind::kEnd;
    end.line = line_;
    out.push_back(std::move(end));
    return out;
  }

 private:
  Status Error(int line, std::string_view why) const {
    return Status::InvalidArgument(std::string(origin_) + ":" +
                                   std::to_string(line) + ": " +
                                   std::string(why));
  }

  void Advance() {
    if (in_[pos_] == '\n') ++line_;
    ++pos_;
  }

  Status SkipSpaceAndComments() {
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
          c == '\v') {
        Advance();
      } else if ((c == '-' || c == '/') && pos_ + 1 < in_.size() &&
                 in_[pos_ + 1] == c) {
        while (pos_ < in_.size() && in_[pos_] != '\n') ++pos_;
      } else if (c == '/' && pos_ + 1 < in_.size() && in_[pos_ + 1] == '*') {
        int start_line = line_;
        pos_ += 2;
        size_t end = in_.find("*/", pos_);
        if (end == std::string_view::npos) {
          return Error(start_line, "unterminated /* comment");
        }
        while (pos_ < end + 2) Advance();
      } else {
        break;
      }
    }
    return Status::Ok();
  }

  // Reads a constant delimited by `quote` where a doubled quote stands for
  // one; pos_ is at the opening quote.
  Status Delimited(char quote, std::string* out) {
    int start_line = line_;
    Advance();
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (c == quote) {
        if (pos_ + 1 < in_.size() && in_[pos_ + 1] == quote) {
          out->push_back(quote);
          pos_ += 2;
          continue;
        }
        ++pos_;
        return Status::Ok();
      }
      out->push_back(c);
      Advance();
    }
    return Error(start_line, quote == '"' ? "unterminated quoted name"
                                          : "unterminated string constant");
  }

  Status LexOne(Token* t) {
    char c = in_[pos_];
    if (c == '"') {
      t->kind = Token::Kind::kQuotedName;
      return Delimited('"', &t->text);
    }
    if (c == '\'') {
      t->kind = Token::Kind::kString;
      return Delimited('\'', &t->text);
    }
    if (c == '$' && pos_ + 1 < in_.size() && in_[pos_ + 1] == '$') {
      int start_line = line_;
      size_t end = in_.find("$$", pos_ + 2);
      if (end == std::string_view::npos) {
        return Error(start_line, "unterminated $$ string");
      }
      t->kind = Token::Kind::kString;
      t->text = std::string(in_.substr(pos_ + 2, end - pos_ - 2));
      while (pos_ < end + 2) Advance();
      return Status::Ok();
    }
    if (size_t n = UuidLength(in_, pos_); n > 0) {
      t->kind = Token::Kind::kNumber;
      t->text = std::string(in_.substr(pos_, n));
      pos_ += n;
      return Status::Ok();
    }
    if (size_t n = NumberLength(in_, pos_); n > 0) {
      t->kind = Token::Kind::kNumber;
      t->text = std::string(in_.substr(pos_, n));
      pos_ += n;
      return Status::Ok();
    }
    if (IsIdentStart(c)) {
      t->kind = Token::Kind::kIdentifier;
      while (pos_ < in_.size() && IsIdentChar(in_[pos_])) {
        t->text.push_back(Lower(in_[pos_]));
        ++pos_;
      }
      return Status::Ok();
    }
    t->kind = Token::Kind::kPunct;
    t->text.assign(1, c);
    Advance();
    return Status::Ok();
  }

  std::string_view in_;
  std::string_view origin_;
  size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view input,
                                    std::string_view origin) {
  return Lexer(input, origin).Run();
}

const Token& TokenCursor::Peek(size_t ahead) const {
  size_t last = tokens_->size() - 1;  // the kEnd token
  size_t i = pos_ + ahead;
  return (*tokens_)[i < last ? i : last];
}

const Token& TokenCursor::Next() {
  const Token& t = Peek();
  if (pos_ + 1 < tokens_->size()) ++pos_;
  return t;
}

bool TokenCursor::ConsumePunct(char c) {
  if (!Peek().IsPunct(c)) return false;
  Next();
  return true;
}

bool TokenCursor::ConsumeWord(std::string_view word) {
  if (!Peek().IsWord(word)) return false;
  Next();
  return true;
}

bool TokenCursor::ConsumeWords(std::initializer_list<std::string_view> words) {
  size_t i = 0;
  for (std::string_view w : words) {
    if (!Peek(i).IsWord(w)) return false;
    ++i;
  }
  for (; i > 0; --i) Next();
  return true;
}

Status TokenCursor::Error(std::string_view why) const {
  const Token& t = Peek();
  std::string near = t.kind == Token::Kind::kEnd
                         ? std::string("end of input")
                         : "'" + std::string(t.raw.substr(0, 40)) + "'";
  return Status::InvalidArgument(std::string(origin_) + ":" +
                                 std::to_string(t.line) + ": " +
                                 std::string(why) + " (near " + near + ")");
}

}  // namespace sstablefs::reader::cql
