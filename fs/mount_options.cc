#include "fs/mount_options.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <string>

namespace sstablefs::fs {
namespace {

using reader::Status;

constexpr int64_t kNowUnset = INT64_MIN;

// Options mount(8), fstab and systemd hand to every helper. They mean
// nothing to a read-only FUSE file system (FUSE mounts are always nosuid,
// nodev unless root asks otherwise, and we never write), so they are
// accepted rather than breaking `mount -t fuse.sstablefs` or an fstab line.
constexpr std::string_view kIgnored[] = {
    "ro",         "rw",       "defaults",      "dev",        "nodev",
    "suid",       "nosuid",   "exec",          "noexec",     "auto",
    "noauto",     "user",     "nouser",        "users",      "owner",
    "group",      "_netdev",  "nofail",        "async",      "sync",
    "atime",      "noatime",  "relatime",      "norelatime", "strictatime",
    "nodiratime", "diratime", "lazytime",      "nolazytime", "dirsync",
    "loud",       "silent",   "nostrictatime", "iversion",   "noiversion",
};

// FUSE options handed to libfuse unchanged.
constexpr std::string_view kFuseFlags[] = {"allow_root", "auto_unmount"};
constexpr std::string_view kFuseValued[] = {"fsname", "subtype"};

bool ParseUnsigned(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Splits "a,b\,c,d" at unescaped commas, unescaping "\,".
std::vector<std::string> SplitOptionList(std::string_view list) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i] == '\\' && i + 1 < list.size()) {
      out.back() += list[++i];
    } else if (list[i] == ',') {
      out.emplace_back();
    } else {
      out.back() += list[i];
    }
  }
  return out;
}

Status ApplyOne(const std::string& item, MountOptions* o) {
  if (item.empty()) return Status::Ok();  // "a,,b" or a trailing comma
  const size_t eq = item.find('=');
  const std::string key = item.substr(0, eq);
  const bool has_value = eq != std::string::npos;
  const std::string value = has_value ? item.substr(eq + 1) : "";
  auto need_value = [&]() {
    return Status::InvalidArgument("mount option '" + key +
                                   "' needs a value (" + key + "=...)");
  };
  auto no_value = [&]() {
    return Status::InvalidArgument("mount option '" + key + "' takes no value");
  };
  if (key == "cache_size") {
    if (!has_value) return need_value();
    std::optional<uint64_t> n = ParseByteSize(value);
    if (!n) {
      return Status::InvalidArgument("invalid cache_size '" + value +
                                     "' (use e.g. cache_size=64M)");
    }
    o->cache_size = *n;
  } else if (key == "schema") {
    if (!has_value || value.empty()) return need_value();
    o->schema_files.push_back(AbsolutePath(value));
  } else if (key == "now") {
    if (!has_value) return need_value();
    std::optional<int64_t> t = ParseInstant(value);
    if (!t) {
      return Status::InvalidArgument("invalid now '" + value +
                                     "' (use now=2026-01-01T00:00:00Z)");
    }
    o->now_seconds = *t;
  } else if (key == "cache_dir") {
    if (!has_value || value.empty()) return need_value();
    o->cache_dir = AbsolutePath(value);
    o->cache_dir_explicit = true;
  } else if (key == "allow_other") {
    if (has_value) return no_value();
    o->allow_other = true;
  } else if (key == "default_permissions") {
    if (has_value) return no_value();
    o->default_permissions = true;
  } else if (key == "uid" || key == "gid") {
    uint64_t id;
    if (!has_value) return need_value();
    if (!ParseUnsigned(value, &id) || id >= UINT32_MAX) {
      return Status::InvalidArgument("invalid " + key + " '" + value +
                                     "' (a numeric id)");
    }
    if (key == "uid") {
      o->uid = static_cast<uid_t>(id);
    } else {
      o->gid = static_cast<gid_t>(id);
    }
  } else if (key == "debug") {  // FUSE's spelling of -d
    if (has_value) return no_value();
    o->debug = true;
    o->foreground = true;
  } else if (key == "max_read") {
    uint64_t n;
    if (!has_value || !ParseUnsigned(value, &n)) {
      return Status::InvalidArgument("invalid max_read '" + value + "'");
    }
    // libfuse 3.14 negotiates 1 MiB reads whatever max_read says.
  } else {
    for (std::string_view k : kIgnored) {
      if (key == k) return has_value ? no_value() : Status::Ok();
    }
    if (key == "comment" || key.rfind("x-", 0) == 0) return Status::Ok();
    for (std::string_view k : kFuseFlags) {
      if (key != k) continue;
      if (has_value) return no_value();
      o->fuse_options.push_back(item);
      return Status::Ok();
    }
    for (std::string_view k : kFuseValued) {
      if (key != k) continue;
      if (!has_value || value.empty()) return need_value();
      o->fuse_options.push_back(item);
      return Status::Ok();
    }
    return Status::InvalidArgument("unknown mount option '" + item +
                                   "' (see sstablefs --help)");
  }
  return Status::Ok();
}

}  // namespace

std::optional<uint64_t> ParseByteSize(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t shift = 0;
  switch (text.back()) {
    case 'k':
    case 'K':
      shift = 10;
      break;
    case 'm':
    case 'M':
      shift = 20;
      break;
    case 'g':
    case 'G':
      shift = 30;
      break;
    default:
      break;
  }
  if (shift != 0) text.remove_suffix(1);
  uint64_t n;
  if (!ParseUnsigned(text, &n) || n > (uint64_t{1} << (50 - shift))) {
    return std::nullopt;
  }
  return n << shift;
}

std::optional<int64_t> ParseInstant(std::string_view s) {
  if (!s.empty() && s.find_first_not_of("-0123456789") == std::string::npos) {
    int64_t v;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
  }
  int y, mo, d, h, mi, sec, n = 0;
  char sep;
  const std::string str(s);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep,
                  &h, &mi, &sec, &n) != 7 ||
      (sep != 'T' && sep != ' ') || mo < 1 || mo > 12 || d < 1 || d > 31 ||
      h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) {
    return std::nullopt;
  }
  std::string_view rest = s.substr(n);
  if (!rest.empty() && rest[0] == '.') {
    size_t k = 1;
    while (k < rest.size() && rest[k] >= '0' && rest[k] <= '9') ++k;
    if (k == 1) return std::nullopt;
    rest = rest.substr(k);
  }
  if (rest != "Z" && !rest.empty() && rest != "+00:00") return std::nullopt;
  // Days from the civil date (proleptic Gregorian calendar).
  const int64_t yy = y - (mo <= 2);
  const int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  const int64_t yoe = yy - era * 400;
  const int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = era * 146097 + doe - 719468;
  return days * 86400 + h * 3600 + mi * 60 + sec;
}

std::string DefaultCacheDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and is ignored.
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/sstablefs";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') {
    return std::string(home) + "/.cache/sstablefs";
  }
  return "";
}

std::string AbsolutePath(std::string_view path) {
  std::string full;
  if (path.empty() || path[0] != '/') {
    char buf[PATH_MAX];
    if (::getcwd(buf, sizeof buf) != nullptr) full = buf;
    full += '/';
  }
  full += path;
  std::vector<std::string_view> parts;
  std::string_view rest = full;
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (std::string_view p : parts) (out += '/') += p;
  return out.empty() ? "/" : out;
}

Status ApplyMountOptionList(std::string_view list, MountOptions* options) {
  for (const std::string& item : SplitOptionList(list)) {
    SSTFS_RETURN_IF_ERROR(ApplyOne(item, options));
  }
  return Status::Ok();
}

Result<MountOptions> ParseMountArgs(int argc, const char* const* argv) {
  MountOptions o;
  o.now_seconds = kNowUnset;
  std::vector<std::string> operands;
  bool only_operands = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (only_operands || arg.empty() || arg[0] != '-' || arg == "-") {
      operands.emplace_back(arg);
    } else if (arg == "--") {
      only_operands = true;
    } else if (arg == "-h" || arg == "--help") {
      o.help = true;
    } else if (arg == "-f") {
      o.foreground = true;
    } else if (arg == "-d") {
      o.debug = true;
      o.foreground = true;  // as with every FUSE file system
    } else if (arg == "-s") {
      o.single_thread = true;
    } else if (arg == "-o") {
      if (i + 1 >= argc) {
        return Status::InvalidArgument("option -o needs a list of options");
      }
      SSTFS_RETURN_IF_ERROR(ApplyMountOptionList(argv[++i], &o));
    } else if (arg.rfind("-o", 0) == 0) {
      SSTFS_RETURN_IF_ERROR(ApplyMountOptionList(arg.substr(2), &o));
    } else {
      return Status::InvalidArgument("unknown option '" + std::string(arg) +
                                     "' (see sstablefs --help)");
    }
  }
  if (o.help) return o;
  if (operands.size() < 2) {
    return Status::InvalidArgument(operands.empty()
                                       ? "missing SOURCE and MOUNTPOINT"
                                       : "missing MOUNTPOINT");
  }
  if (operands.size() > 2) {
    return Status::InvalidArgument("unexpected argument '" + operands[2] +
                                   "' (expected SOURCE MOUNTPOINT)");
  }
  o.source = AbsolutePath(operands[0]);
  o.mountpoint = AbsolutePath(operands[1]);
  if (o.allow_other) o.default_permissions = true;  // SPEC §2
  if (o.now_seconds == kNowUnset) o.now_seconds = std::time(nullptr);
  if (!o.cache_dir_explicit) o.cache_dir = DefaultCacheDir();
  return o;
}

}  // namespace sstablefs::fs
