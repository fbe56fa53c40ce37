// reader/ is a library usable without FUSE (by dump, verify and tests): no
// file in it may include a FUSE header. Only fs/ talks to libfuse.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace {

TEST(Layering, ReaderHasNoFuseIncludes) {
  const std::filesystem::path reader =
      std::filesystem::path(SSTFS_SOURCE_DIR) / "reader";
  ASSERT_TRUE(std::filesystem::is_directory(reader)) << reader;
  const std::regex fuse_include(R"(^\s*#\s*include\s*[<"](fuse|fuse3)[/_.])");
  int files = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(reader)) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".cc") continue;
    ++files;
    std::ifstream in(entry.path());
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      EXPECT_FALSE(std::regex_search(line, fuse_include))
          << entry.path() << ":" << number << ": " << line;
    }
  }
  EXPECT_GT(files, 10) << "reader/ sources not found";
}

TEST(Layering, FuseIncludePatternMatches) {
  // Guard: the pattern used above does catch the includes it is meant for.
  const std::regex fuse_include(R"(^\s*#\s*include\s*[<"](fuse|fuse3)[/_.])");
  EXPECT_TRUE(std::regex_search("#include <fuse_lowlevel.h>", fuse_include));
  EXPECT_TRUE(
      std::regex_search("#include <fuse3/fuse_lowlevel.h>", fuse_include));
  EXPECT_TRUE(std::regex_search("#include \"fuse.h\"", fuse_include));
  EXPECT_FALSE(std::regex_search("#include \"reader/fuser.h\"", fuse_include));
}

}  // namespace
