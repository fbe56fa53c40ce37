#include "reader/toc.h"

#include <algorithm>
#include <set>
#include <string_view>

namespace sstablefs::reader {
namespace {

// Components Cassandra (2.x .. 5.0, big and BTI) and ScyllaDB write.
constexpr std::string_view kKnownComponents[] = {
    "Data.db",       "Index.db",     "Filter.db",      "CompressionInfo.db",
    "Statistics.db", "Digest.crc32", "Digest.adler32", "Digest.sha1",
    "CRC.db",        "Summary.db",   "TOC.txt",        "Partitions.db",
    "Rows.db",       "Scylla.db",
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// A plausible component name: "<stem>.<ext>" made of [A-Za-z0-9_+.-], with a
// non-empty stem and an extension of letters and digits. A line cut short
// ("Statis") has no extension and fails.
bool IsPlausibleComponent(std::string_view s) {
  size_t dot = s.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == s.size()) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                 (c >= 'A' && c <= 'Z');
    if (i > dot ? !alnum
                : !(alnum || c == '_' || c == '+' || c == '-' || c == '.')) {
      return false;
    }
  }
  return true;
}

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    } else {
      out.push_back(c);
    }
    if (out.size() > 80) return out + "...";
  }
  return out;
}

}  // namespace

bool IsKnownComponent(std::string_view name) {
  for (std::string_view k : kKnownComponents) {
    if (name == k) return true;
  }
  // Secondary index components (SI_<index>.db, Cassandra 2.x..4.x) and
  // storage-attached index components (SAI+<version>+...+<Name>.db, 5.0).
  if (StartsWith(name, "SI_") && EndsWith(name, ".db") && name.size() > 6) {
    return true;
  }
  return StartsWith(name, "SAI+") && IsPlausibleComponent(name);
}

Result<std::vector<std::string>> ParseToc(ByteView content,
                                          const std::string& path) {
  std::vector<std::string> out;
  std::string_view text = content.AsStringView();
  size_t line_start = 0;
  int line_no = 0;
  while (line_start < text.size()) {
    size_t nl = text.find('\n', line_start);
    size_t line_end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(line_start, line_end - line_start);
    ++line_no;
    line_start = line_end + 1;
    while (!line.empty() &&
           (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
      line.remove_prefix(1);
    }
    if (line.empty()) continue;
    if (!IsPlausibleComponent(line)) {
      return Status::Corruption(
          path, static_cast<uint64_t>(line.data() - text.data()),
          "line " + std::to_string(line_no) + ": '" + Printable(line) +
              "' is not a component name");
    }
    out.emplace_back(line);
  }
  if (out.empty()) {
    return Status::Corruption(path, 0, "empty TOC (no component listed)");
  }
  return out;
}

std::vector<std::string> CompareTocWithFiles(
    const std::vector<std::string>& toc,
    const std::vector<std::string>& present_components,
    const std::string& prefix) {
  std::vector<std::string> findings;
  const std::set<std::string> present(present_components.begin(),
                                      present_components.end());
  std::set<std::string> listed;
  for (const std::string& c : toc) {
    const std::string file = prefix + "-" + c;
    if (!listed.insert(c).second) {
      findings.push_back(file + ": listed twice in TOC.txt");
      continue;
    }
    if (!IsKnownComponent(c)) {
      findings.push_back(file +
                         ": listed in TOC.txt but not a known component");
    }
    if (present.count(c) == 0) {
      findings.push_back(file + ": listed in TOC.txt but missing");
    }
  }
  for (const std::string& c : present) {
    if (listed.count(c) == 0) {
      findings.push_back(prefix + "-" + c +
                         ": present but not listed in TOC.txt");
    }
  }
  return findings;
}

}  // namespace sstablefs::reader
