#include "reader/descriptor.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>

#include "reader/file_util.h"

namespace sstablefs::reader {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return c >= '0' && c <= '9'; });
}

bool IsLowerAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
}

// UUIDBasedSSTableId.toString(): 4 + '_' + 4 + '_' + 18 base-36 digits,
// e.g. "3gsm_0lob_1zdg02we44my8dy25w".
bool IsUuidGeneration(std::string_view s) {
  if (s.size() != 28 || s[4] != '_' || s[9] != '_') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 4 || i == 9) continue;
    if (!IsLowerAlnum(s[i])) return false;
  }
  return true;
}

bool IsGeneration(std::string_view s) {
  return IsDigits(s) || IsUuidGeneration(s);
}

bool IsTempMarker(std::string_view s) { return s == "tmp" || s == "tmplink"; }

bool IsFormat(std::string_view s) { return s == "big" || s == "bti"; }

// Keyspace and table names: [A-Za-z0-9_]+ (CQL identifiers as directories).
bool IsName(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || c == '_';
  });
}

// A component name: "Data.db", "Digest.crc32", "SI_idx.db", "SAI+aa+x.db".
// Non-empty, printable, no '/'.
bool IsComponentText(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '/' || c == 0x7f) {
      return false;
    }
  }
  return true;
}

std::string Join(const std::vector<std::string_view>& parts, size_t from,
                 char sep) {
  std::string out;
  for (size_t i = from; i < parts.size(); ++i) {
    if (i > from) out.push_back(sep);
    out.append(parts[i]);
  }
  return out;
}

// Parses the file name alone. Returns false when it is not an SSTable
// component name. `component` receives the component part.
bool ParseFileName(std::string_view name, Descriptor* d,
                   std::string* component) {
  std::vector<std::string_view> t = Split(name, '-');
  // Modern: [tmp-|tmplink-]<version>-<generation>-<format>-<Component...>
  {
    size_t i = 0;
    bool temp = t.size() > 0 && IsTempMarker(t[0]);
    if (temp) i = 1;
    if (t.size() >= i + 4 && Version(t[i]).valid() && IsGeneration(t[i + 1]) &&
        IsFormat(t[i + 2])) {
      std::string comp = Join(t, i + 3, '-');
      if (IsComponentText(comp)) {
        d->version = Version(t[i]);
        d->generation = std::string(t[i + 1]);
        d->format = std::string(t[i + 2]);
        d->legacy_name = false;
        d->temporary = temp;
        d->temporary_marker = temp ? std::string(t[0]) : std::string();
        *component = std::move(comp);
        return true;
      }
    }
  }
  // Legacy (ka and older): <ks>-<table>-[tmp-|tmplink-]<version>-<gen>-<C>
  if (t.size() >= 5 && IsName(t[0]) && IsName(t[1])) {
    size_t i = 2;
    bool temp = IsTempMarker(t[2]);
    if (temp) i = 3;
    if (t.size() >= i + 3 && Version(t[i]).valid() && IsDigits(t[i + 1])) {
      std::string comp = Join(t, i + 2, '-');
      if (IsComponentText(comp)) {
        d->keyspace = std::string(t[0]);
        d->table = std::string(t[1]);
        d->version = Version(t[i]);
        d->generation = std::string(t[i + 1]);
        d->format = "big";
        d->legacy_name = true;
        d->temporary = temp;
        d->temporary_marker = temp ? std::string(t[2]) : std::string();
        *component = std::move(comp);
        return true;
      }
    }
  }
  return false;
}

bool IsHex32(std::string_view s) {
  return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Keyspace and table from the folders, like Cassandra's Descriptor: skip
// "backups" and "snapshots/<name>", note a ".<index>" folder, then expect
// "<ks>/<table>-<32 hex id>". Leaves both empty when the shape differs.
void FillFromFolders(const std::filesystem::path& dir, Descriptor* d) {
  std::vector<std::string> parts;
  for (const auto& p : dir.lexically_normal()) {
    std::string s = p.string();
    if (!s.empty() && s != "/") parts.push_back(s);
  }
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  size_t n = parts.size();
  if (n >= 1 && parts[n - 1] == "backups") {
    n -= 1;
  } else if (n >= 2 && parts[n - 2] == "snapshots") {
    n -= 2;
  }
  std::string index;
  if (n >= 1 && parts[n - 1].size() > 1 && parts[n - 1][0] == '.') {
    index = parts[n - 1].substr(1);
    n -= 1;
  }
  if (n < 2) return;
  const std::string& table_dir = parts[n - 1];
  size_t dash = table_dir.rfind('-');
  if (dash == std::string::npos || dash == 0) return;
  std::string table = table_dir.substr(0, dash);
  if (!IsName(table) ||
      !IsHex32(std::string_view(table_dir).substr(dash + 1)) ||
      !IsName(parts[n - 2])) {
    return;
  }
  d->keyspace = parts[n - 2];
  d->table = index.empty() ? table : table + "." + index;
}

// Generation order: numeric ones by value, before UUID-style ones (by text).
bool GenerationLess(const std::string& a, const std::string& b) {
  bool an = IsDigits(a), bn = IsDigits(b);
  if (an != bn) return an;
  if (an) {
    std::string_view x(a), y(b);
    while (x.size() > 1 && x[0] == '0') x.remove_prefix(1);
    while (y.size() > 1 && y[0] == '0') y.remove_prefix(1);
    if (x.size() != y.size()) return x.size() < y.size();
    return x < y;
  }
  return a < b;
}

}  // namespace

std::string Descriptor::prefix() const {
  std::string temp = temporary ? temporary_marker + "-" : std::string();
  if (temporary && temporary_marker.empty()) temp = "tmp-";
  if (legacy_name) {
    return keyspace + "-" + table + "-" + temp + version.str() + "-" +
           generation;
  }
  return temp + version.str() + "-" + generation + "-" + format;
}

std::string Descriptor::ComponentPath(std::string_view component) const {
  std::string dir = directory.empty() ? "." : directory;
  if (dir.back() != '/') dir.push_back('/');
  return dir + prefix() + "-" + std::string(component);
}

bool Descriptor::IsReadable() const {
  return format == "big" && !legacy_name && IsSupportedBigVersion(version);
}

Result<Descriptor> ParseDescriptor(const std::string& path) {
  std::filesystem::path p(path);
  std::string name = p.filename().string();
  Descriptor d;
  std::string component;
  if (name.empty() || !ParseFileName(name, &d, &component)) {
    return Status::InvalidArgument(path +
                                   ": not an SSTable component file name");
  }
  std::filesystem::path dir = p.parent_path();
  d.directory = dir.empty() ? "." : dir.string();
  if (!d.legacy_name) FillFromFolders(dir, &d);
  return d;
}

std::string ComponentOf(std::string_view file_name) {
  size_t slash = file_name.rfind('/');
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  Descriptor d;
  std::string component;
  if (!ParseFileName(file_name, &d, &component)) return std::string();
  return component;
}

Result<std::vector<Descriptor>> ListSSTables(const std::string& directory) {
  SSTFS_ASSIGN_OR_RETURN(std::vector<FolderEntry> entries,
                         ListFolderEntries(directory));
  std::map<std::string, Descriptor> by_prefix;
  for (const FolderEntry& e : entries) {
    if (!e.is_file) continue;
    Result<Descriptor> d = ParseDescriptor(directory + "/" + e.name);
    if (!d.ok()) continue;
    d->directory = directory;
    by_prefix.try_emplace(d->prefix(), std::move(d).value());
  }
  std::vector<Descriptor> out;
  out.reserve(by_prefix.size());
  for (auto& [prefix, d] : by_prefix) out.push_back(std::move(d));
  std::stable_sort(out.begin(), out.end(),
                   [](const Descriptor& a, const Descriptor& b) {
                     if (a.version != b.version) return a.version < b.version;
                     if (a.generation != b.generation) {
                       return GenerationLess(a.generation, b.generation);
                     }
                     return a.prefix() < b.prefix();
                   });
  return out;
}

}  // namespace sstablefs::reader
