// Keeps man/sstablefs.1 in sync with the --help texts of the built
// `sstablefs` binary, and checks that groff formats the page without a
// warning.
//
// The page's conventions (documented in its header comment) are what this test
// parses:
//  - SYNOPSIS holds one `.SY "sstablefs CMD"` ... `.YS` block per usage form
//    (`.SY sstablefs` for the forms without a command);
//  - OPTIONS documents the options taken without a command, one `.TP` each;
//  - COMMANDS holds one `.SS "sstablefs CMD"` per command, documenting each of
//    its options as a `.TP` item whose tag line names it.
// Expectations come from running the binary, never from a copy of its text.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace sstablefs::testing {
namespace {

using OptionSet = std::set<std::string>;

const char kBinary[] = SSTFS_BINARY_DIR "/sstablefs";
const char kManPage[] = SSTFS_SOURCE_DIR "/man/sstablefs.1";

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

struct RunResult {
  int exit_code = -1;  // -1: did not exit normally
  std::string output;  // standard output of `command`
};

// Runs `command` through /bin/sh and collects its standard output.
RunResult RunShell(const std::string& command) {
  RunResult r;
  std::FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int status = ::pclose(p);
  if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
}

bool BinaryExists() {
  struct stat st;
  return ::stat(kBinary, &st) == 0 && ::access(kBinary, X_OK) == 0;
}

// `sstablefs ARGS` (ARGS already shell-safe); stderr discarded.
RunResult RunSstablefs(const std::string& args) {
  return RunShell(ShellQuote(kBinary) + " " + args + " 2>/dev/null");
}

// Option tokens (-k, --rows, ...) in `text`: a dash or two and a letter,
// standing at the start of a word (after a space, '[', '(', '|' or ',').
OptionSet OptionTokens(const std::string& text) {
  static const std::regex kOption(
      R"((?:^|[\s\[(|,])(--?[A-Za-z][A-Za-z0-9-]*))");
  OptionSet out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kOption);
       it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1].str());
  }
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// --- The --help texts -------------------------------------------------------

struct HelpText {
  std::string text;
  // The "Usage:" lines (the line with "Usage:" and the indented lines that
  // follow it up to the first blank line).
  std::vector<std::string> usage;
};

HelpText ParseHelp(const std::string& text) {
  HelpText h{text, {}};
  bool in_usage = false;
  for (const std::string& line : Lines(text)) {
    if (line.rfind("Usage:", 0) == 0) {
      in_usage = true;
      if (line.size() > 6) h.usage.push_back(line.substr(6));
      continue;
    }
    if (in_usage && line.find_first_not_of(' ') == std::string::npos) break;
    if (in_usage) h.usage.push_back(line);
  }
  return h;
}

// Commands listed in the top-level help's "Commands:" block: lines
// "  NAME   description".
std::set<std::string> HelpCommands(const std::string& text) {
  static const std::regex kCommand(R"(^  ([a-z][a-z0-9-]*) {2,}\S)");
  std::set<std::string> out;
  bool in_block = false;
  for (const std::string& line : Lines(text)) {
    if (line == "Commands:") {
      in_block = true;
      continue;
    }
    if (!in_block) continue;
    if (line.empty()) break;
    std::smatch m;
    if (std::regex_search(line, m, kCommand)) out.insert(m[1].str());
  }
  return out;
}

// Options of the top-level usage lines that take no command
// ("sstablefs --help | --version").
OptionSet GlobalUsageOptions(const HelpText& h) {
  OptionSet out;
  for (const std::string& line : h.usage) {
    const size_t at = line.find("sstablefs ");
    if (at == std::string::npos) continue;
    const size_t first = line.find_first_not_of(' ', at + 10);
    if (first != std::string::npos && line[first] == '-') {
      OptionSet o = OptionTokens(line.substr(first));
      out.insert(o.begin(), o.end());
    }
  }
  return out;
}

OptionSet UsageOptions(const HelpText& h) {
  OptionSet out;
  for (const std::string& line : h.usage) {
    OptionSet o = OptionTokens(line);
    out.insert(o.begin(), o.end());
  }
  return out;
}

// --- The man page -----------------------------------------------------------

// A roff source line as plain text: escapes resolved or dropped, a leading
// macro name and argument quotes removed.
std::string Plain(const std::string& roff) {
  std::string s = roff;
  if (!s.empty() && (s[0] == '.' || s[0] == '\'')) {
    const size_t sp = s.find(' ');
    s = sp == std::string::npos ? "" : s.substr(sp + 1);
  }
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"') continue;
    if (c != '\\' || i + 1 == s.size()) {
      out += c;
      continue;
    }
    const char e = s[++i];
    switch (e) {
      case '-':
        out += '-';
        break;
      case 'e':
        out += '\\';
        break;
      case 'f':  // \fB, \fR, \f(CW, \f[B]
        if (i + 1 < s.size() && s[i + 1] == '(') {
          i += 3;
        } else if (i + 1 < s.size() && s[i + 1] == '[') {
          i = s.find(']', i);
          if (i == std::string::npos) i = s.size();
        } else {
          ++i;
        }
        break;
      case '(':  // \(lq, \(em, ...: two-letter glyph names
        i += 2;
        out += ' ';
        break;
      case '&':
      case '%':
      case 'c':
        break;
      default:  // "\ ", "\~" and the rest: a space
        out += ' ';
        break;
    }
  }
  return out;
}

struct ManPage {
  std::string synopsis;  // plain text of SYNOPSIS
  // Options per usage block of SYNOPSIS, by command ("" = no command).
  std::map<std::string, OptionSet> synopsis_options;
  OptionSet global_options;  // .TP tags under OPTIONS
  // .TP tags of each `.SS "sstablefs CMD"` section under COMMANDS.
  std::map<std::string, OptionSet> command_options;
  std::string plain;  // the whole page as plain text
};

std::string Unquote(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != '"') out += c;
  return out;
}

// "sstablefs dump" -> "dump"; "sstablefs" -> ""; anything else -> nullopt.
std::optional<std::string> CommandOf(const std::string& title) {
  const std::string t = Unquote(title);
  if (t == "sstablefs") return std::string();
  if (t.rfind("sstablefs ", 0) == 0) return t.substr(10);
  return std::nullopt;
}

ManPage ParseManPage(const std::string& roff) {
  ManPage page;
  std::string section, subsection;
  std::optional<std::string> synopsis_command;
  bool tag_next = false;
  for (const std::string& line : Lines(roff)) {
    if (line.rfind(".\\\"", 0) == 0) continue;  // comment
    const std::string plain = Plain(line);
    page.plain += plain + "\n";
    if (line.rfind(".SH", 0) == 0) {
      section = Unquote(line.size() > 4 ? line.substr(4) : "");
      subsection.clear();
      tag_next = false;
      continue;
    }
    if (line.rfind(".SS", 0) == 0) {
      subsection = Unquote(line.size() > 4 ? line.substr(4) : "");
      tag_next = false;
      continue;
    }
    if (section == "SYNOPSIS") {
      page.synopsis += plain + "\n";
      if (line.rfind(".SY", 0) == 0) {
        synopsis_command = CommandOf(line.size() > 4 ? line.substr(4) : "");
        if (synopsis_command) page.synopsis_options[*synopsis_command];
      } else if (line.rfind(".YS", 0) == 0) {
        synopsis_command.reset();
      } else if (synopsis_command) {
        OptionSet o = OptionTokens(plain);
        page.synopsis_options[*synopsis_command].insert(o.begin(), o.end());
      }
      continue;
    }
    if (line.rfind(".TP", 0) == 0) {
      tag_next = true;
      continue;
    }
    if (!tag_next) continue;
    tag_next = false;
    OptionSet tags = OptionTokens(plain);
    if (section == "OPTIONS") {
      page.global_options.insert(tags.begin(), tags.end());
    } else if (section == "COMMANDS") {
      std::optional<std::string> cmd = CommandOf(subsection);
      if (cmd && !cmd->empty()) {
        page.command_options[*cmd].insert(tags.begin(), tags.end());
      }
    }
  }
  // A command section without any option still counts as documented.
  for (const std::string& line : Lines(roff)) {
    if (line.rfind(".SS", 0) != 0) continue;
    std::optional<std::string> cmd =
        CommandOf(line.size() > 4 ? line.substr(4) : "");
    if (cmd && !cmd->empty()) page.command_options[*cmd];
  }
  return page;
}

std::string Join(const OptionSet& s) {
  std::string out;
  for (const std::string& x : s) out += (out.empty() ? "" : " ") + x;
  return out;
}

// Elements of `a` missing from `b`.
OptionSet Missing(const OptionSet& a, const OptionSet& b) {
  OptionSet out;
  for (const std::string& x : a)
    if (b.count(x) == 0) out.insert(x);
  return out;
}

class ManPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(BinaryExists())
        << kBinary
        << " is missing: build the `sstablefs` target before this test";
    std::optional<std::string> roff = ReadFileToString(kManPage);
    ASSERT_TRUE(roff.has_value()) << "cannot read " << kManPage;
    page_ = ParseManPage(*roff);
    RunResult top = RunSstablefs("--help");
    ASSERT_EQ(top.exit_code, 0) << "sstablefs --help";
    top_ = ParseHelp(top.output);
    commands_ = HelpCommands(top.output);
    ASSERT_FALSE(commands_.empty())
        << "no \"Commands:\" block in sstablefs --help:\n"
        << top.output;
    for (const std::string& cmd : commands_) {
      RunResult r = RunSstablefs(cmd + " --help");
      ASSERT_EQ(r.exit_code, 0) << "sstablefs " << cmd << " --help";
      ASSERT_FALSE(r.output.empty()) << "sstablefs " << cmd << " --help";
      command_help_[cmd] = ParseHelp(r.output);
    }
  }

  ManPage page_;
  HelpText top_;
  std::set<std::string> commands_;
  std::map<std::string, HelpText> command_help_;
};

TEST_F(ManPageTest, ParsersFindWhatTheyLookFor) {
  // Guards the tests below against passing on an empty parse.
  EXPECT_EQ(commands_.count("dump"), 1u);
  EXPECT_EQ(commands_.count("verify"), 1u);
  EXPECT_GE(OptionTokens(command_help_["dump"].text).size(), 8u);
  EXPECT_GE(page_.command_options["dump"].size(), 8u);
  EXPECT_EQ(OptionTokens("  -k KEY  [--rows] (-e|--csv), -h, --help x-y --"),
            (OptionSet{"-k", "--rows", "-e", "--csv", "-h", "--help"}));
  EXPECT_EQ(Plain(".BR \\-h \", \" \\-\\-help"), "-h ,  --help");
  EXPECT_EQ(Plain(".BI \\-k \" KEY\""), "-k  KEY");
}

TEST_F(ManPageTest, EveryCommandIsDocumented) {
  std::set<std::string> documented;
  for (const auto& [cmd, options] : page_.command_options)
    documented.insert(cmd);
  EXPECT_EQ(Join(commands_), Join(documented))
      << "commands of `sstablefs --help` vs `.SS \"sstablefs CMD\"` sections "
         "under COMMANDS in "
      << kManPage;
  for (const std::string& cmd : commands_) {
    EXPECT_EQ(page_.synopsis_options.count(cmd), 1u)
        << "no `.SY \"sstablefs " << cmd << "\"` in SYNOPSIS";
  }
}

TEST_F(ManPageTest, CommandOptionsMatchTheirHelp) {
  for (const std::string& cmd : commands_) {
    const OptionSet help = OptionTokens(command_help_[cmd].text);
    const OptionSet& man = page_.command_options[cmd];
    EXPECT_EQ(Join(Missing(help, man)), "")
        << "options of `sstablefs " << cmd
        << " --help` without a .TP item in section \"sstablefs " << cmd
        << "\" of " << kManPage;
    EXPECT_EQ(Join(Missing(man, help)), "")
        << "options documented in section \"sstablefs " << cmd << "\" of "
        << kManPage << " that `sstablefs " << cmd << " --help` does not list";
  }
}

TEST_F(ManPageTest, SynopsisMatchesUsageLines) {
  for (const std::string& cmd : commands_) {
    const OptionSet usage = UsageOptions(command_help_[cmd]);
    ASSERT_FALSE(usage.empty())
        << "no Usage: line in sstablefs " << cmd << " --help";
    const OptionSet& synopsis = page_.synopsis_options[cmd];
    EXPECT_EQ(Join(Missing(usage, synopsis)), "")
        << "options of the Usage: lines of `sstablefs " << cmd
        << " --help` missing from its SYNOPSIS";
    EXPECT_EQ(Join(Missing(synopsis, OptionTokens(command_help_[cmd].text))),
              "")
        << "options in the SYNOPSIS of " << cmd << " unknown to its --help";
  }
  // The top-level usage summarises every command; all of it is in SYNOPSIS.
  EXPECT_EQ(Join(Missing(UsageOptions(top_), OptionTokens(page_.synopsis))), "")
      << "options of `sstablefs --help` missing from SYNOPSIS";
}

TEST_F(ManPageTest, GlobalOptionsMatchTopLevelHelp) {
  const OptionSet help = GlobalUsageOptions(top_);
  ASSERT_FALSE(help.empty()) << "no `sstablefs --OPTION` usage line";
  EXPECT_EQ(Join(help), Join(page_.global_options))
      << "options without a command: `sstablefs --help` vs .TP items under "
         "OPTIONS";
  EXPECT_EQ(Join(help), Join(page_.synopsis_options[""]))
      << "options without a command: `sstablefs --help` vs `.SY sstablefs`";
}

TEST_F(ManPageTest, VersionMatchesTheBinary) {
  RunResult r = RunSstablefs("--version");
  ASSERT_EQ(r.exit_code, 0);
  std::string version = r.output;  // "sstablefs 0.1.0\n"
  while (!version.empty() && version.back() == '\n') version.pop_back();
  std::optional<std::string> roff = ReadFileToString(kManPage);
  ASSERT_TRUE(roff.has_value());
  std::string th;
  for (const std::string& line : Lines(*roff)) {
    if (line.rfind(".TH ", 0) == 0) th = line;
  }
  EXPECT_NE(th.find("\"" + version + "\""), std::string::npos)
      << ".TH of " << kManPage << " should name \"" << version
      << "\" (the output of sstablefs --version): " << th;
}

TEST(ManPageGroffTest, FormatsWithoutWarnings) {
  if (RunShell("command -v groff >/dev/null 2>&1 && echo yes").output !=
      "yes\n") {
    if (UnderCi()) {
      FAIL() << "groff is not installed (CI=true: install groff-base)";
    }
    GTEST_SKIP() << "groff is not installed (apt-get install groff-base) "
                    "so the man page's roff cannot be checked";
  }
  // Only stderr is kept: the warnings. -Tutf8 is what man(1) uses on a
  // terminal; the default device catches other problems.
  for (const char* device : {"", " -Tutf8"}) {
    const std::string cmd = std::string("groff -man -ww -z") + device + " " +
                            ShellQuote(kManPage) + " 2>&1 >/dev/null";
    RunResult r = RunShell(cmd);
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_EQ(r.output, "") << cmd;
  }
}

}  // namespace
}  // namespace sstablefs::testing
