#include "tools/gen/generator.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "writer/sstable_writer.h"
#include "writer/system_schema_writer.h"

namespace sstablefs::gen {

namespace fs = std::filesystem;
using reader::Result;
using reader::Status;

Result<uint64_t> ParseSize(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("empty size");
  uint64_t value = 0;
  size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (value > (UINT64_MAX - 9) / 10) {
      return Status::InvalidArgument("size too large: " + std::string(text));
    }
    value = value * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  if (i == 0) return Status::InvalidArgument("bad size: " + std::string(text));
  std::string_view unit = text.substr(i);
  int shift = 0;
  if (unit == "" || unit == "B") {
    shift = 0;
  } else if (unit == "K" || unit == "k" || unit == "KB" || unit == "KiB") {
    shift = 10;
  } else if (unit == "M" || unit == "MB" || unit == "MiB") {
    shift = 20;
  } else if (unit == "G" || unit == "GB" || unit == "GiB") {
    shift = 30;
  } else if (unit == "T" || unit == "TB" || unit == "TiB") {
    shift = 40;
  } else {
    return Status::InvalidArgument("bad size unit in '" + std::string(text) +
                                   "' (use K, M, G or T)");
  }
  if (shift > 0 && value > (UINT64_MAX >> shift)) {
    return Status::InvalidArgument("size too large: " + std::string(text));
  }
  return value << shift;
}

std::string TableDirName(const GenTable& table) {
  return table.name + "-" + table.id;
}

namespace {

struct Job {
  size_t table;
  int sstable;
};

Status WriteOne(const Preset& preset, uint64_t scale, const Job& job,
                const std::string& dir) {
  const GenTable& table = preset.tables()[job.table];
  std::unique_ptr<TableStream> stream = preset.Stream(job.table, scale);
  writer::WriterSchema schema = table.Schema(stream->ExtraColumns(job.sstable));
  schema.encoding_stats = stream->Stats(job.sstable);
  writer::WriterOptions options;
  options.lz4 = table.lz4;
  options.generation = std::to_string(job.sstable + 1);
  options.expected_partitions = stream->PartitionEstimate(job.sstable);
  SSTFS_ASSIGN_OR_RETURN(auto w,
                         writer::SSTableWriter::Create(dir, schema, options));
  WriterSink sink(w.get());
  SSTFS_RETURN_IF_ERROR(stream->Generate(job.sstable, &sink));
  return w->Finish();
}

uint64_t DataBytesIn(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.size() > 8 && name.ends_with("-Data.db")) {
      total += e.file_size(ec);
    }
  }
  return total;
}

Status MakeDirs(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError(dir + ": " + ec.message());
  return Status::Ok();
}

Status WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) return Status::IoError(path + ": write failed");
  return Status::Ok();
}

}  // namespace

Result<uint64_t> WriteTables(const Preset& preset, uint64_t scale,
                             const std::string& data_dir, int threads,
                             std::vector<std::string>* table_dirs) {
  std::vector<Job> jobs;
  std::vector<std::string> dirs;
  for (size_t t = 0; t < preset.tables().size(); ++t) {
    const GenTable& table = preset.tables()[t];
    std::string dir =
        data_dir + "/" + table.keyspace + "/" + TableDirName(table);
    SSTFS_RETURN_IF_ERROR(MakeDirs(dir));
    dirs.push_back(dir);
    int count = preset.Stream(t, scale)->sstable_count();
    for (int k = 0; k < count; ++k) jobs.push_back({t, k});
  }
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first_error;
  auto worker = [&] {
    for (;;) {
      size_t i = next.fetch_add(1);
      if (i >= jobs.size()) return;
      Status s = WriteOne(preset, scale, jobs[i], dirs[jobs[i].table]);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.ok()) first_error = s;
        next.store(jobs.size());
        return;
      }
    }
  };
  int n = std::max(1, std::min<int>(threads, static_cast<int>(jobs.size())));
  std::vector<std::thread> pool;
  for (int i = 1; i < n; ++i) pool.emplace_back(worker);
  worker();
  for (std::thread& th : pool) th.join();
  SSTFS_RETURN_IF_ERROR(first_error);
  uint64_t total = 0;
  for (const std::string& d : dirs) total += DataBytesIn(d);
  if (table_dirs != nullptr) *table_dirs = dirs;
  return total;
}

namespace {

std::string DashedUuid(const std::string& hex) {
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) +
         "-" + hex.substr(16, 4) + "-" + hex.substr(20);
}

// UDTs a type uses, nested ones first.
void CollectUdts(const reader::CqlType& t, std::vector<std::string>* out) {
  for (const auto& p : t.params) CollectUdts(*p, out);
  if (t.kind == reader::TypeKind::kUdt &&
      std::find(out->begin(), out->end(), t.udt_name) == out->end()) {
    out->push_back(t.udt_name);
  }
}

std::string ColumnLine(const std::string& name, const reader::CqlType& type,
                       bool is_static) {
  return "    " + name + " " + writer::CqlTypeText(type) +
         (is_static ? " static" : "") + ",\n";
}

}  // namespace

std::string SnapshotSchemaCql(const GenTable& table,
                              const std::vector<reader::CqlUserType>& types) {
  std::string out;
  const std::string qualified = table.keyspace + "." + table.name;
  std::vector<std::string> udts;
  for (const GenColumn& c : table.columns) CollectUdts(*c.type, &udts);
  for (const std::string& name : udts) {
    for (const reader::CqlUserType& u : types) {
      if (u.name != name || u.keyspace != table.keyspace) continue;
      out +=
          "CREATE TYPE IF NOT EXISTS " + table.keyspace + "." + name + " (\n";
      for (size_t i = 0; i < u.field_names.size(); ++i) {
        out += "    " + u.field_names[i] + " " +
               writer::CqlTypeText(*u.field_types[i]) +
               (i + 1 < u.field_names.size() ? ",\n" : "\n");
      }
      out += ");\n\n";
    }
  }
  out += "CREATE TABLE IF NOT EXISTS " + qualified + " (\n";
  std::vector<int> pk = table.PartitionKey();
  std::vector<int> ck = table.Clustering();
  for (int i : pk)
    out += ColumnLine(table.columns[i].name, *table.columns[i].type, false);
  for (int i : ck)
    out += ColumnLine(table.columns[i].name, *table.columns[i].type, false);
  for (int i : table.HeaderStatics()) {
    out += ColumnLine(table.columns[i].name, *table.columns[i].type, true);
  }
  for (int i : table.HeaderRegulars()) {
    out += ColumnLine(table.columns[i].name, *table.columns[i].type, false);
  }
  for (const GenDropped& d : table.dropped) {
    auto type = reader::ParseMarshalType(d.marshal);
    if (type.ok()) out += ColumnLine(d.name, **type, d.is_static);
  }
  out += "    PRIMARY KEY (";
  std::string key;
  for (size_t i = 0; i < pk.size(); ++i) {
    key += (i > 0 ? ", " : "") + table.columns[pk[i]].name;
  }
  out += pk.size() > 1 ? "(" + key + ")" : key;
  for (int i : ck) out += ", " + table.columns[i].name;
  out += ")\n) WITH ID = " + DashedUuid(table.id) + "\n";
  if (!ck.empty()) {
    out += "    AND CLUSTERING ORDER BY (";
    for (size_t i = 0; i < ck.size(); ++i) {
      const GenColumn& c = table.columns[ck[i]];
      out +=
          (i > 0 ? ", " : "") + c.name + (c.type->reversed ? " DESC" : " ASC");
    }
    out += ")\n";
  }
  out +=
      "    AND additional_write_policy = '99p'\n"
      "    AND bloom_filter_fp_chance = 0.01\n"
      "    AND caching = {'keys': 'ALL', 'rows_per_partition': 'NONE'}\n"
      "    AND cdc = false\n"
      "    AND comment = ''\n"
      "    AND compaction = {'class': "
      "'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', "
      "'max_threshold': '32', 'min_threshold': '4'}\n";
  out += table.lz4
             ? "    AND compression = {'chunk_length_in_kb': '16', 'class': "
               "'org.apache.cassandra.io.compress.LZ4Compressor'}\n"
             : "    AND compression = {'enabled': 'false'}\n";
  out +=
      "    AND crc_check_chance = 1.0\n"
      "    AND default_time_to_live = 0\n"
      "    AND extensions = {}\n"
      "    AND gc_grace_seconds = 864000\n"
      "    AND max_index_interval = 2048\n"
      "    AND memtable_flush_period_in_ms = 0\n"
      "    AND min_index_interval = 128\n"
      "    AND read_repair = 'BLOCKING'\n"
      "    AND speculative_retry = '99p';\n";
  for (const GenDropped& d : table.dropped) {
    out += "ALTER TABLE " + qualified + " DROP " + d.name +
           " USING TIMESTAMP " + std::to_string(d.dropped_time_micros) + ";\n";
  }
  return out;
}

namespace {

Status WriteSnapshot(const GenTable& table, const Preset& preset,
                     const std::string& table_dir, const std::string& name) {
  std::string snap = table_dir + "/snapshots/" + name;
  SSTFS_RETURN_IF_ERROR(MakeDirs(snap));
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(table_dir, ec)) {
    if (e.is_regular_file()) files.push_back(e.path().filename().string());
  }
  if (ec) return Status::IoError(table_dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::string manifest = "{\"files\":[";
  bool first = true;
  for (const std::string& f : files) {
    std::string from = table_dir + "/" + f;
    std::string to = snap + "/" + f;
    fs::create_hard_link(from, to, ec);
    if (ec) {  // another file system: copy
      ec.clear();
      fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
      if (ec) return Status::IoError(to + ": " + ec.message());
    }
    if (f.ends_with("-Data.db")) {
      manifest += std::string(first ? "" : ",") + "\"" + f + "\"";
      first = false;
    }
  }
  // Cassandra 4.1's SnapshotManifest; a fixed creation time keeps runs
  // byte-identical.
  manifest += "],\"created_at\":\"2025-02-01T00:00:00Z\",\"expires_at\":null}";
  SSTFS_RETURN_IF_ERROR(WriteFile(snap + "/manifest.json", manifest));
  return WriteFile(snap + "/schema.cql",
                   SnapshotSchemaCql(table, preset.types()));
}

std::string Mb(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f MiB", bytes / 1048576.0);
  return buf;
}

}  // namespace

Result<GenSummary> Generate(const GenOptions& options) {
  auto log = [&](const std::string& s) {
    if (options.log) options.log(s);
  };
  SSTFS_ASSIGN_OR_RETURN(auto preset, MakePreset(options.preset, options.seed));
  const std::string data_dir = options.outdir + "/data";
  std::error_code ec;
  if (fs::exists(data_dir, ec)) {
    return Status::InvalidArgument(data_dir +
                                   " already exists (choose a new OUTDIR)");
  }
  GenSummary summary;
  summary.scale = preset->min_scale();
  const auto start = std::chrono::steady_clock::now();
  if (options.size_bytes > 0) {
    const std::string cal = options.outdir + "/.sstablefs-gen-calibration";
    fs::remove_all(cal, ec);
    const uint64_t cal_scale = preset->calibration_scale();
    auto bytes = WriteTables(*preset, cal_scale, cal + "/data", options.threads,
                             nullptr);
    fs::remove_all(cal, ec);
    SSTFS_RETURN_IF_ERROR(bytes.status());
    if (*bytes > 0) {
      unsigned __int128 s = static_cast<unsigned __int128>(options.size_bytes) *
                            cal_scale / *bytes;
      summary.scale = std::max<uint64_t>(
          preset->min_scale(),
          s > UINT32_MAX ? UINT32_MAX : static_cast<uint64_t>(s));
    }
    if (summary.scale > preset->max_scale()) {
      summary.scale = preset->max_scale();
      log(preset->name() + ": size capped at scale " +
          std::to_string(summary.scale));
    }
    log(preset->name() + ": calibration scale " + std::to_string(cal_scale) +
        " gave " + Mb(*bytes) + "; using scale " +
        std::to_string(summary.scale));
  }
  SSTFS_ASSIGN_OR_RETURN(summary.data_bytes,
                         WriteTables(*preset, summary.scale, data_dir,
                                     options.threads, &summary.table_dirs));
  for (size_t t = 0; t < preset->tables().size(); ++t) {
    summary.sstables += preset->Stream(t, summary.scale)->sstable_count();
  }

  std::vector<reader::CqlTableDef> defs;
  for (const GenTable& t : preset->tables()) defs.push_back(t.ToCqlTableDef());
  writer::SystemSchemaOptions so;
  so.timestamp_micros = kEpochMicros - 86400LL * 1000000;  // the day before
  SSTFS_RETURN_IF_ERROR(
      writer::WriteSystemSchema(data_dir, defs, preset->types(), {}, so));

  if (!options.snapshot.empty()) {
    for (size_t t = 0; t < preset->tables().size(); ++t) {
      SSTFS_RETURN_IF_ERROR(WriteSnapshot(preset->tables()[t], *preset,
                                          summary.table_dirs[t],
                                          options.snapshot));
    }
  }
  SSTFS_RETURN_IF_ERROR(preset->WriteExtras(options.outdir, summary.scale));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  char buf[160];
  std::snprintf(buf, sizeof(buf), "%s: %llu SSTables, %s of Data.db in %.1f s",
                preset->name().c_str(),
                static_cast<unsigned long long>(summary.sstables),
                Mb(summary.data_bytes).c_str(), secs);
  log(buf);
  return summary;
}

}  // namespace sstablefs::gen
