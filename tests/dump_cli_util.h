// Helpers for the dump tests: run `sstablefs dump` in-process through
// RunDump with tmpfile() streams, and walk the corpus's expected.json.
#ifndef SSTABLEFS_TESTS_DUMP_CLI_UTIL_H_
#define SSTABLEFS_TESTS_DUMP_CLI_UTIL_H_

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "tests/test_util.h"

namespace sstablefs::testing {

struct CliResult {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string SlurpAndClose(std::FILE* f) {
  std::string s;
  std::rewind(f);
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  std::fclose(f);
  return s;
}

// Runs `sstablefs dump <args...>`.
inline CliResult RunDumpCli(std::vector<std::string> args) {
  args.insert(args.begin(), "dump");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  CliResult r;
  r.code = cli::RunDump(static_cast<int>(args.size()), argv.data(), out, err);
  r.out = SlurpAndClose(out);
  r.err = SlurpAndClose(err);
  return r;
}

inline const nlohmann::json& ExpectedSets() {
  static const nlohmann::json* sets = [] {
    auto text = ReadFileToString(CorpusDir() + "/expected.json");
    return new nlohmann::json(text ? nlohmann::json::parse(*text)
                                   : nlohmann::json::array());
  }();
  return *sets;
}

inline bool IsReadableFormat(const std::string& f) {
  static const char* kFormats[] = {"ma", "mb", "mc", "md", "me", "na", "nb"};
  for (const char* k : kFormats) {
    if (f == k) return true;
  }
  return false;
}

inline bool IsBrokenSet(const nlohmann::json& set) {
  return set.value("malformed", false) ||
         set.value("deliberately_corrupt", false) ||
         set.value("incomplete", false) || set["source"] == "malformed";
}

// Data.db paths of the readable big-format SSTables of a set.
inline std::vector<std::string> ReadableDataFiles(const nlohmann::json& set) {
  std::vector<std::string> out;
  if (!set.contains("sstables")) return out;
  for (const auto& t : set["sstables"]) {
    if (t.value("format_type", "") != "big") continue;
    if (!IsReadableFormat(t.value("format", ""))) continue;
    bool has_data = false;
    for (const auto& c : t["components"]) has_data |= c == "Data.db";
    if (!has_data) continue;
    out.push_back(CorpusDir() + "/" + set["path"].get<std::string>() + "/" +
                  t["dir"].get<std::string>() + "/" +
                  t["prefix"].get<std::string>() + "-Data.db");
  }
  return out;
}

// A CQL literal from expected.json ("'text'", "5", "(1, 'a')") as the
// strings sstabledump prints for the key components: quotes removed,
// '' unescaped, tuples split.
inline std::vector<std::string> LiteralComponents(const std::string& lit) {
  std::string s = lit;
  if (s.size() >= 2 && s.front() == '(' && s.back() == ')') {
    s = s.substr(1, s.size() - 2);
  }
  std::vector<std::string> parts;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char ch = s[i];
    if (ch == '\'') {
      if (quoted && i + 1 < s.size() && s[i + 1] == '\'') {
        cur.push_back('\'');
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (ch == ',' && !quoted) {
      parts.push_back(cur);
      cur.clear();
      while (i + 1 < s.size() && s[i + 1] == ' ') ++i;
    } else {
      cur.push_back(ch);
    }
  }
  parts.push_back(cur);
  return parts;
}

}  // namespace sstablefs::testing

#endif  // SSTABLEFS_TESTS_DUMP_CLI_UTIL_H_
