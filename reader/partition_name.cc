// Partition folder names (SPEC §4). A name is built from each component's
// literal text, checked to parse back to the same bytes (so every listed name
// is reversible), then %-escaped. Values whose literal text does not parse
// back (a NaN with a payload, a non-minimal varint, a frozen collection, a
// value that does not fit its type) are written as raw "0x<hex>" instead:
// for every key type but text and blob no literal starts with "0x", so the
// raw form cannot be mistaken for a literal.
#include "reader/partition_name.h"

#include <string>
#include <vector>

#include "reader/md5.h"

namespace sstablefs::reader {
namespace {

constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr char kHexLower[] = "0123456789abcdef";
// Hashed names of order-preserving partitioners carry this many key bytes
// (as hex) instead of the token, which is the whole key.
constexpr size_t kOrderedTokenPrefixBytes = 100;

bool IsTextKind(TypeKind k) {
  return k == TypeKind::kText || k == TypeKind::kAscii;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool DecodeHex(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->reserve(out->size() + hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]), lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

std::string RawForm(ByteView v) { return "0x" + v.ToHex(); }

// Text of one component back to bytes: the literal, else the raw form.
Result<std::string> ParseComponent(const CqlType& t, std::string_view text) {
  if (IsTextKind(t.kind)) return std::string(text);
  Result<std::string> literal = ParseLiteral(t, text);
  if (literal.ok()) return literal;
  std::string raw;
  if (text.size() >= 2 && text[0] == '0' &&
      (text[1] == 'x' || text[1] == 'X') && DecodeHex(text.substr(2), &raw)) {
    return raw;
  }
  return literal.status();
}

// The unescaped text of one component (see the file comment).
std::string ComponentText(const CqlType& t, ByteView v) {
  std::string s;
  if (t.kind == TypeKind::kTimestamp && v.size() == 8) {
    // ISO-8601 "2024-01-31T13:45:00.000Z": the JSON form, minus its quotes,
    // with 'T' for the space (no spaces in names, exact milliseconds).
    AppendJson(t, v, &s);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
      s = s.substr(1, s.size() - 2);
    }
    size_t space = s.find(' ');
    if (space != std::string::npos) s[space] = 'T';
  } else {
    AppendCqlLiteral(t, v, /*quote_strings=*/false, &s);
  }
  if (IsTextKind(t.kind)) return s;  // text is itself: always reversible
  Result<std::string> back = ParseComponent(t, s);
  if (!back.ok() || ByteView(*back) != v) return RawForm(v);
  return s;
}

// Length of the valid UTF-8 sequence starting at p[0] (a byte >= 0x80), or 0
// when the byte does not start one (Unicode Table 3-7: no overlongs, no
// surrogates, nothing above U+10FFFF).
size_t Utf8SequenceLength(const uint8_t* p, size_t n) {
  auto cont = [&](size_t i, uint8_t lo, uint8_t hi) {
    return i < n && p[i] >= lo && p[i] <= hi;
  };
  const uint8_t b = p[0];
  if (b >= 0xc2 && b <= 0xdf) return cont(1, 0x80, 0xbf) ? 2 : 0;
  if (b >= 0xe0 && b <= 0xef) {
    uint8_t lo = b == 0xe0 ? 0xa0 : 0x80;
    uint8_t hi = b == 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2, 0x80, 0xbf) ? 3 : 0;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    uint8_t lo = b == 0xf0 ? 0x90 : 0x80;
    uint8_t hi = b == 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2, 0x80, 0xbf) && cont(3, 0x80, 0xbf) ? 4
                                                                         : 0;
  }
  return 0;
}

void AppendEscapedByte(uint8_t b, std::string* out) {
  out->push_back('%');
  out->push_back(kHexUpper[b >> 4]);
  out->push_back(kHexUpper[b & 0xf]);
}

// Appends `s` %-escaped as a component; `first` marks the start of the name.
void AppendEscaped(std::string_view s, bool first, std::string* out) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    const uint8_t b = p[i];
    if (b < 0x80) {
      bool escape = b < 0x20 || b == 0x7f || b == '/' || b == '%' || b == ':' ||
                    (first && i == 0 && (b == '.' || b == '~'));
      if (escape) {
        AppendEscapedByte(b, out);
      } else {
        out->push_back(static_cast<char>(b));
      }
      ++i;
      continue;
    }
    size_t len = Utf8SequenceLength(p + i, n - i);
    if (len == 0) {
      AppendEscapedByte(b, out);
      ++i;
    } else {
      out->append(s.substr(i, len));
      i += len;
    }
  }
}

// Undoes AppendEscaped; false on a '%' not followed by two hex digits.
bool Unescape(std::string_view s, std::string* out) {
  out->reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out->push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return false;
    int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

void AppendComposite(std::string_view component, std::string* out) {
  out->push_back(static_cast<char>((component.size() >> 8) & 0xff));
  out->push_back(static_cast<char>(component.size() & 0xff));
  out->append(component);
  out->push_back('\0');  // end-of-component: EQ
}

// The unescaped component texts of `key`. A composite that does not split
// into exactly its declared components, or whose encoding differs from the
// canonical one we would rebuild (odd end-of-component bytes), becomes one
// raw "0x…" text for the whole key.
std::vector<std::string> ComponentTexts(const CqlType& key_type, ByteView key) {
  std::vector<std::string> texts;
  if (key_type.kind != TypeKind::kComposite) {
    texts.push_back(ComponentText(key_type, key));
    return texts;
  }
  Result<std::vector<ByteView>> parts = SplitComposite(key);
  bool canonical = parts.ok() && parts->size() == key_type.params.size() &&
                   key_type.params.size() >= 2;
  if (canonical) {
    std::string rebuilt;
    for (ByteView part : *parts) AppendComposite(part.AsStringView(), &rebuilt);
    canonical = ByteView(rebuilt) == key;
  }
  if (!canonical) {
    texts.push_back(RawForm(key));
    return texts;
  }
  for (size_t i = 0; i < parts->size(); ++i) {
    texts.push_back(ComponentText(*key_type.params[i], (*parts)[i]));
  }
  return texts;
}

std::string HashedName(ByteView key, const Partitioner& partitioner) {
  std::string name = "~";
  if (partitioner.PreservesOrder()) {
    name += key.substr(0, kOrderedTokenPrefixBytes).ToHex();
  } else {
    name += partitioner.TokenToString(partitioner.GetToken(key));
  }
  name.push_back('.');
  uint64_t h = PartitionNameHash(key);
  for (int shift = 60; shift >= 0; shift -= 4) {
    name.push_back(kHexLower[(h >> shift) & 0xf]);
  }
  return name;
}

Status BadName(std::string_view name, std::string_view why) {
  return Status::InvalidArgument("not a partition name: '" +
                                 std::string(name.substr(0, 100)) +
                                 "': " + std::string(why));
}

Result<ParsedPartitionName> ParseHashedName(std::string_view name) {
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot < 1) {
    return BadName(name, "hashed form is ~<token>.<hash>");
  }
  std::string_view hash = name.substr(dot + 1);
  if (hash.size() != 16) return BadName(name, "hash is not 16 hex digits");
  ParsedPartitionName parsed;
  parsed.hashed = true;
  parsed.token_text = std::string(name.substr(1, dot - 1));
  for (char c : hash) {
    int v = HexValue(c);
    if (v < 0) return BadName(name, "hash is not 16 hex digits");
    parsed.hash = (parsed.hash << 4) | static_cast<uint64_t>(v);
  }
  return parsed;
}

}  // namespace

uint64_t PartitionNameHash(ByteView key) {
  Md5Digest d = ComputeMd5(key);
  uint64_t h = 0;
  for (int i = 0; i < 8; ++i) h = (h << 8) | d[i];
  return h;
}

std::string PartitionKeyText(const CqlType& key_type, ByteView key) {
  std::string out;
  std::vector<std::string> texts = ComponentTexts(key_type, key);
  for (size_t i = 0; i < texts.size(); ++i) {
    if (i > 0) out.push_back(':');
    out += texts[i];
  }
  return out;
}

std::string PartitionFolderName(const CqlType& key_type, ByteView key,
                                const Partitioner& partitioner) {
  std::string name;
  std::vector<std::string> texts = ComponentTexts(key_type, key);
  for (size_t i = 0; i < texts.size(); ++i) {
    if (i > 0) name.push_back(':');
    AppendEscaped(texts[i], i == 0, &name);
    if (name.size() > kMaxFolderNameBytes) break;
  }
  // The empty name (an empty single-column key) cannot be a folder name.
  if (name.empty() || name.size() > kMaxFolderNameBytes) {
    return HashedName(key, partitioner);
  }
  return name;
}

Result<ParsedPartitionName> ParsePartitionFolderName(const CqlType& key_type,
                                                     std::string_view name) {
  if (name.empty()) return BadName(name, "empty");
  if (name.size() > kMaxFolderNameBytes) return BadName(name, "too long");
  if (name.find('/') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos) {
    return BadName(name, "contains '/' or NUL");
  }
  if (name[0] == '~') return ParseHashedName(name);

  const bool composite = key_type.kind == TypeKind::kComposite;
  // A single-column key takes the whole name: a typed ':' is just a ':'.
  std::vector<std::string_view> parts;
  if (composite) {
    size_t start = 0;
    for (size_t i = 0; i <= name.size(); ++i) {
      if (i == name.size() || name[i] == ':') {
        parts.push_back(name.substr(start, i - start));
        start = i + 1;
      }
    }
  } else {
    parts.push_back(name);
  }

  ParsedPartitionName parsed;
  std::vector<std::string> texts(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!Unescape(parts[i], &texts[i])) {
      return BadName(name, "'%' must be followed by two hex digits");
    }
  }
  if (!composite) {
    Result<std::string> v = ParseComponent(key_type, texts[0]);
    if (!v.ok()) return BadName(name, v.status().message());
    parsed.key = std::move(v).value();
    return parsed;
  }
  const size_t want = key_type.params.size();
  if (texts.size() == 1 && want >= 2) {
    // The raw form of a whole composite key that is not canonical.
    std::string_view t = texts[0];
    if (t.size() >= 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') &&
        DecodeHex(t.substr(2), &parsed.key)) {
      return parsed;
    }
  }
  if (texts.size() != want) {
    return BadName(name, "expected " + std::to_string(want) +
                             " ':'-separated components, found " +
                             std::to_string(texts.size()));
  }
  for (size_t i = 0; i < want; ++i) {
    Result<std::string> v = ParseComponent(*key_type.params[i], texts[i]);
    if (!v.ok()) return BadName(name, v.status().message());
    if (v->size() > 0xffff) return BadName(name, "component too long");
    AppendComposite(*v, &parsed.key);
  }
  return parsed;
}

bool PartitionNameMatches(const ParsedPartitionName& parsed, ByteView key,
                          const Partitioner& partitioner) {
  if (!parsed.hashed) return ByteView(parsed.key) == key;
  if (PartitionNameHash(key) != parsed.hash) return false;
  return PartitionNameTokenText(key, partitioner) == parsed.token_text;
}

std::string PartitionNameTokenText(ByteView key,
                                   const Partitioner& partitioner) {
  std::string name = HashedName(key, partitioner);
  return name.substr(1, name.size() - 1 - 17);
}

}  // namespace sstablefs::reader
