#include "reader/metadata_json.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "reader/compression_info.h"
#include "reader/dump_json.h"
#include "reader/file_util.h"
#include "reader/statistics.h"
#include "reader/toc.h"
#include "reader/types.h"

namespace sstablefs::reader {
namespace {

using Json = nlohmann::ordered_json;

// The same limits SSTable::Open applies to these components.
constexpr size_t kMaxTocBytes = 64 * 1024;
constexpr size_t kMaxStatisticsBytes = 64 * 1024 * 1024;
constexpr size_t kMaxCompressionInfoBytes = 1024 * 1024 * 1024;

std::string Instant(int64_t value, bool micros) {
  std::string s;
  AppendDumpTime(value, micros, /*raw=*/false, &s);
  return s;
}

// A local deletion time; INT32_MAX means "none" (Cell.NO_DELETION_TIME).
Json DeletionTimeJson(int32_t t) {
  if (t == INT32_MAX) return Json();
  return Json(Instant(t, false));
}

// Non-empty buckets only, as [upper bound, count] pairs (the overflow bucket
// has bound null): the full EstimatedHistogram has ~150 mostly empty buckets.
Json HistogramJson(const Histogram& h) {
  Json out = Json::array();
  for (size_t i = 0; i < h.counts.size(); ++i) {
    if (h.counts[i] == 0) continue;
    Json bound = i < h.offsets.size() ? Json(h.offsets[i]) : Json();
    out.push_back(Json::array({bound, h.counts[i]}));
  }
  return out;
}

// Clustering bound values as CQL literals when the header's types parse,
// else hex.
Json ClusteringValuesJson(const std::vector<std::string>& values,
                          const std::vector<CqlTypePtr>& types) {
  Json out = Json::array();
  for (size_t i = 0; i < values.size(); ++i) {
    ByteView v{std::string_view(values[i])};
    std::string text;
    if (i < types.size() && types[i] != nullptr) {
      AppendCqlLiteral(*types[i], v, /*quote_strings=*/true, &text);
    } else {
      text = "0x" + v.ToHex();
    }
    out.push_back(std::move(text));
  }
  return out;
}

Json StatsJson(const StatsMetadata& s, const std::vector<CqlTypePtr>& ctypes) {
  Json j;
  j["min_timestamp"] = s.min_timestamp;
  j["min_timestamp_utc"] = Instant(s.min_timestamp, true);
  j["max_timestamp"] = s.max_timestamp;
  j["max_timestamp_utc"] = Instant(s.max_timestamp, true);
  j["min_local_deletion_time"] = DeletionTimeJson(s.min_local_deletion_time);
  j["max_local_deletion_time"] = DeletionTimeJson(s.max_local_deletion_time);
  j["min_ttl"] = s.min_ttl;
  j["max_ttl"] = s.max_ttl;
  j["compression_ratio"] = s.compression_ratio;
  j["sstable_level"] = s.sstable_level;
  j["repaired_at"] = s.repaired_at;
  j["pending_repair"] = s.pending_repair ? Json(*s.pending_repair) : Json();
  j["is_transient"] = s.is_transient;
  j["originating_host_id"] =
      s.originating_host_id ? Json(*s.originating_host_id) : Json();
  j["total_rows"] = s.total_rows;
  j["total_columns_set"] = s.total_columns_set;
  j["has_legacy_counter_shards"] = s.has_legacy_counter_shards;
  j["commit_log_intervals"] = s.commit_log_intervals_text;
  j["min_clustering_values"] =
      ClusteringValuesJson(s.min_clustering_values, ctypes);
  j["max_clustering_values"] =
      ClusteringValuesJson(s.max_clustering_values, ctypes);
  j["clustering_bounds_accurate"] = s.accurate_min_max;
  j["partition_size_histogram"] = HistogramJson(s.partition_sizes);
  j["cell_count_histogram"] = HistogramJson(s.column_counts);
  Json tomb = Json::array();
  for (const auto& [point, count] : s.tombstone_histogram.bins) {
    tomb.push_back(Json::array({point, count}));
  }
  j["tombstone_drop_times"] = std::move(tomb);
  return j;
}

Json HeaderJson(const SerializationHeader& h) {
  Json j;
  j["key_type"] = h.key_type;
  j["clustering_types"] = h.clustering_types;
  auto columns = [](const std::vector<HeaderColumn>& cols) {
    Json out = Json::array();
    for (const HeaderColumn& c : cols) {
      Json col;
      col["name"] = c.name;
      col["type"] = c.type_name;
      out.push_back(std::move(col));
    }
    return out;
  };
  j["static_columns"] = columns(h.static_columns);
  j["regular_columns"] = columns(h.regular_columns);
  j["min_timestamp"] = h.min_timestamp;
  j["min_local_deletion_time"] = h.min_local_deletion_time;
  j["min_ttl"] = h.min_ttl;
  return j;
}

Json CompressionJson(const CompressionInfo& c) {
  Json j;
  j["class"] = c.compressor_class;
  Json opts = Json::object();
  for (const auto& [k, v] : c.options) opts[k] = v;
  j["options"] = std::move(opts);
  j["chunk_length"] = c.chunk_length;
  j["max_compressed_length"] =
      c.has_max_compressed_length ? Json(c.max_compressed_length) : Json();
  j["data_length"] = c.data_length;
  j["compressed_length"] = c.compressed_file_size;
  j["chunks"] = c.DataChunkCount();
  j["ratio"] = c.data_length == 0
                   ? 0.0
                   : static_cast<double>(c.compressed_file_size) /
                         static_cast<double>(c.data_length);
  return j;
}

// Size of a component file, or -1 when it cannot be stat()ed.
int64_t FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_size);
}

// Components present in the folder for this SSTable, sorted.
std::vector<std::string> PresentComponents(const Descriptor& d) {
  std::vector<std::string> out;
  const std::string prefix = d.prefix() + "-";
  Result<std::vector<FolderEntry>> entries = ListFolderEntries(d.directory);
  if (!entries.ok()) return out;
  for (const FolderEntry& e : *entries) {
    const std::string& name = e.name;
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix))
      continue;
    std::string component = name.substr(prefix.size());
    if (ComponentOf(name) == component) out.push_back(std::move(component));
  }
  std::sort(out.begin(), out.end());
  return out;
}

class Builder {
 public:
  explicit Builder(const Descriptor& d) : d_(d) {}
  std::string Render(const std::vector<std::string>& extra_warnings);

 private:
  void AddToc();
  void AddStatistics();
  void AddCompression();
  void AddComponents();

  const Descriptor& d_;
  Json j_;
  Json warnings_ = Json::array();
  Json errors_ = Json::array();
  std::vector<std::string> toc_;
  bool have_toc_ = false;
  std::vector<std::string> present_;
  std::vector<CqlTypePtr> clustering_types_;
};

void Builder::AddToc() {
  const std::string path = d_.ComponentPath("TOC.txt");
  Result<std::string> text = ReadSmallFile(path, kMaxTocBytes);
  if (!text.ok()) {
    j_["toc"] = nullptr;
    if (std::find(present_.begin(), present_.end(), "TOC.txt") ==
        present_.end()) {
      warnings_.push_back(path + ": missing");
    } else {
      errors_.push_back(text.status().message());
    }
    return;
  }
  Result<std::vector<std::string>> toc =
      ParseToc(ByteView(std::string_view(*text)), path);
  if (!toc.ok()) {
    j_["toc"] = nullptr;
    errors_.push_back(toc.status().message());
    return;
  }
  toc_ = *std::move(toc);
  have_toc_ = true;
  j_["toc"] = toc_;
  for (const std::string& w : CompareTocWithFiles(toc_, present_, d_.prefix()))
    warnings_.push_back(w);
}

void Builder::AddStatistics() {
  const std::string path = d_.ComponentPath("Statistics.db");
  Result<std::string> bytes = ReadSmallFile(path, kMaxStatisticsBytes);
  Result<Statistics> stats =
      bytes.ok() ? DecodeStatistics(ByteView(std::string_view(*bytes)),
                                    d_.version, d_.format, path)
                 : Result<Statistics>(bytes.status());
  if (!stats.ok()) {
    errors_.push_back(stats.status().message());
    j_["partitioner"] = nullptr;
    j_["bloom_filter_fp_chance"] = nullptr;
    j_["stats"] = nullptr;
    j_["header"] = nullptr;
    return;
  }
  const Statistics& s = *stats;
  j_["partitioner"] = s.validation ? Json(s.validation->partitioner) : Json();
  j_["bloom_filter_fp_chance"] =
      s.validation ? Json(s.validation->bloom_filter_fp_chance) : Json();
  if (s.header) {
    for (const std::string& t : s.header->clustering_types) {
      Result<CqlTypePtr> type = ParseMarshalType(t);
      clustering_types_.push_back(type.ok() ? *type : nullptr);
    }
  }
  j_["stats"] = s.stats ? StatsJson(*s.stats, clustering_types_) : Json();
  j_["header"] = s.header ? HeaderJson(*s.header) : Json();
  j_["statistics_checksummed"] = s.checksummed;
  for (const std::string& n : s.notes) warnings_.push_back(path + ": " + n);
  for (int32_t t : s.unknown_components) {
    warnings_.push_back(path + ": unknown metadata component type " +
                        std::to_string(t));
  }
}

void Builder::AddCompression() {
  const std::string path = d_.ComponentPath("CompressionInfo.db");
  const bool present = std::find(present_.begin(), present_.end(),
                                 "CompressionInfo.db") != present_.end();
  const int64_t data_size = FileSize(d_.ComponentPath("Data.db"));
  Json data;
  data["size_on_disk"] = data_size >= 0 ? Json(data_size) : Json();
  if (!present) {
    j_["compression"] = nullptr;
    data["uncompressed_length"] = data["size_on_disk"];
    j_["data"] = std::move(data);
    return;
  }
  Result<std::string> bytes = ReadSmallFile(path, kMaxCompressionInfoBytes);
  Result<CompressionInfo> info =
      bytes.ok() && data_size >= 0
          ? DecodeCompressionInfo(ByteView(std::string_view(*bytes)),
                                  d_.version, path,
                                  static_cast<uint64_t>(data_size))
          : Result<CompressionInfo>(
                bytes.ok() ? Status::IoError(d_.ComponentPath("Data.db") +
                                             ": cannot stat")
                           : bytes.status());
  if (!info.ok()) {
    errors_.push_back(info.status().message());
    j_["compression"] = nullptr;
    data["uncompressed_length"] = nullptr;
  } else {
    j_["compression"] = CompressionJson(*info);
    data["uncompressed_length"] = info->data_length;
  }
  j_["data"] = std::move(data);
}

void Builder::AddComponents() {
  std::vector<std::string> names = present_;
  for (const std::string& t : toc_) {
    if (std::find(names.begin(), names.end(), t) == names.end())
      names.push_back(t);
  }
  std::sort(names.begin(), names.end());
  Json comps = Json::array();
  int64_t total = 0;
  for (const std::string& n : names) {
    Json c;
    c["name"] = n;
    int64_t size = FileSize(d_.ComponentPath(n));
    c["size"] = size >= 0 ? Json(size) : Json();
    if (size > 0) total += size;
    c["in_toc"] =
        !have_toc_ || std::find(toc_.begin(), toc_.end(), n) != toc_.end();
    comps.push_back(std::move(c));
  }
  j_["components"] = std::move(comps);
  j_["total_size"] = total;
}

std::string Builder::Render(const std::vector<std::string>& extra_warnings) {
  present_ = PresentComponents(d_);
  j_["sstable"] = d_.prefix();
  j_["directory"] = d_.directory;
  j_["version"] = d_.version.str();
  j_["format"] = d_.format;
  j_["generation"] = d_.generation;
  j_["readable"] = d_.IsReadable();
  AddToc();
  AddStatistics();
  AddCompression();
  AddComponents();
  for (const std::string& w : extra_warnings) {
    if (std::find(warnings_.begin(), warnings_.end(), Json(w)) ==
        warnings_.end()) {
      warnings_.push_back(w);
    }
  }
  j_["warnings"] = std::move(warnings_);
  j_["errors"] = std::move(errors_);
  // Names and values from disk may hold invalid UTF-8: replace, never throw.
  std::string out =
      j_.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  out.push_back('\n');
  return out;
}

}  // namespace

std::string RenderMetadataJson(const Descriptor& d,
                               const std::vector<std::string>& extra_warnings) {
  Builder b(d);
  return b.Render(extra_warnings);
}

}  // namespace sstablefs::reader
