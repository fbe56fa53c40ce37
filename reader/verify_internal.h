// Internal to the verifier (reader/verifier.h): the per-SSTable context the
// check passes share. Not part of the library API.
#ifndef SSTABLEFS_READER_VERIFY_INTERNAL_H_
#define SSTABLEFS_READER_VERIFY_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "reader/status.h"
#include "reader/verifier.h"

namespace sstablefs::reader {

class SSTable;

// Check names (reader/verifier.h lists what each covers).
inline constexpr char kCheckCompleteness[] = "completeness";
inline constexpr char kCheckDigest[] = "digest";
inline constexpr char kCheckChunks[] = "chunks";
inline constexpr char kCheckStatistics[] = "statistics";
inline constexpr char kCheckStructure[] = "structure";
inline constexpr char kCheckIndex[] = "index";
inline constexpr char kCheckSummary[] = "summary";
inline constexpr char kCheckBloomFilter[] = "bloom_filter";
inline constexpr char kCheckStatsAgreement[] = "stats_agreement";
inline constexpr char kCheckFolder[] = "folder";

// Collects findings and check outcomes for one SSTable and forwards progress.
class VerifyContext {
 public:
  VerifyContext(SSTableReport* report, const VerifyOptions* options,
                uint64_t progress_base, uint64_t progress_total)
      : report_(report),
        options_(options),
        progress_base_(progress_base),
        progress_total_(progress_total) {}

  const Descriptor& descriptor() const { return report_->descriptor; }
  const VerifyOptions& options() const { return *options_; }
  SSTableReport* report() { return report_; }

  // Records a finding; the check's outcome follows the worst severity.
  void Add(Severity severity, std::string_view check,
           std::string_view component, std::optional<uint64_t> offset,
           std::string reason, bool io_error = false);
  // The same from a Status: "<path>: [offset N: | chunk N at offset X: ]
  // reason" is split into file, offset and reason. kIoError marks io_error.
  void AddStatus(Severity severity, std::string_view check,
                 std::string_view component, const Status& status);
  // Marks a check as run (passed unless findings say otherwise) with a
  // detail, or as skipped with the reason.
  void Ran(std::string_view check, std::string detail);
  void Skipped(std::string_view check, std::string reason);
  // True when the check has an error finding.
  bool Failed(std::string_view check) const;

  // Adds `bytes` read to the progress count.
  void Progress(uint64_t bytes);

 private:
  CheckResult& Check(std::string_view name);

  SSTableReport* report_;
  const VerifyOptions* options_;
  uint64_t progress_base_;
  uint64_t progress_total_;
  uint64_t progress_done_ = 0;
};

// The SSTable's component path of `component`.
std::string ComponentPathOf(const Descriptor& d, std::string_view component);

// Passes (verify_sstable.cc, verify_structure.cc).
// Full decode of Data.db with the cross-component checks (structure, index,
// summary, bloom_filter, stats_agreement). `data_chunks_damaged` lets it
// avoid repeating a chunk the chunk pass already reported.
void RunStructureChecks(VerifyContext& ctx, const SSTable& table,
                        bool data_chunks_damaged);

// Renders a partition key for messages (CQL literal, shortened).
std::string KeyForMessage(const SSTable& table, std::string_view key);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_VERIFY_INTERNAL_H_
