#include "tests/test_util.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sstablefs::testing {

std::string CorpusDir() {
  if (const char* env = std::getenv("SSTABLEFS_CORPUS"); env && *env) {
    return env;
  }
  return std::string(SSTFS_SOURCE_DIR) + "/../shared/corpus";
}

bool CorpusAvailable() {
  return std::filesystem::exists(CorpusDir() + "/expected.json");
}

bool UnderCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

std::optional<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace sstablefs::testing
