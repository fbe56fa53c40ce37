// Helpers shared by the tests: where the corpus is, and how a test that needs
// it reports its absence (skipped with the reason; a failure under CI=true).
#ifndef SSTABLEFS_TESTS_TEST_UTIL_H_
#define SSTABLEFS_TESTS_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace sstablefs::testing {

// ../shared/corpus relative to the repository root, or $SSTABLEFS_CORPUS.
std::string CorpusDir();
bool CorpusAvailable();
// True under CI (environment CI=true): missing prerequisites are failures.
bool UnderCi();

// Reads a whole (small) file; std::nullopt when it cannot be read.
std::optional<std::string> ReadFileToString(const std::string& path);

}  // namespace sstablefs::testing

// Use at the top of a test that needs the corpus.
#define SSTFS_REQUIRE_CORPUS()                                                \
  do {                                                                        \
    if (!::sstablefs::testing::CorpusAvailable()) {                           \
      if (::sstablefs::testing::UnderCi()) {                                  \
        FAIL() << "corpus missing at " << ::sstablefs::testing::CorpusDir()   \
               << " (CI=true: the corpus is required)";                       \
      }                                                                       \
      GTEST_SKIP() << "corpus not found at "                                  \
                   << ::sstablefs::testing::CorpusDir()                       \
                   << " (clone ../shared beside the repository to run this)"; \
    }                                                                         \
  } while (0)

#endif  // SSTABLEFS_TESTS_TEST_UTIL_H_
