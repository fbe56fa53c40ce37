// bench_render: throughput of the decode -> render path (Data.db rows to
// rows.jsonl / rows.csv / sstabledump JSON), the product's hot path.
//
// It writes one uncompressed nb SSTable of synthetic rows (10 mixed-type
// columns: text key, int clustering, boolean, int, timestamp, uuid, text,
// double, bigint, set<text>) with the tools/ nb writer into a scratch folder
// (default /dev/shm, i.e. memory), opens it with the real reader and times,
// over several repetitions of several passes each:
//   decode  PartitionIterator over every row (cells touched, nothing rendered)
//   rows    RenderSSTableRows into a RowSink that drops rows (decode +
//           reconciliation, no text)
//   jsonl   RenderSSTableRows -> JSON Lines writer -> null OutputSink
//   csv     RenderSSTableRows -> CSV writer -> null OutputSink
//   dump    DumpSSTableJson (sstabledump JSON) -> null OutputSink
// and prints `name: value unit` lines: MB/s (10^6 bytes) of output (of
// Data.db for decode/rows) and rows/s, the median and the best repetition,
// computed from the thread's CPU time (the machines are shared: wall time
// includes waiting for a core; *_wall_median shows it).
//
// Usage: bench_render [--rows N] [--reps K] [--target-mb M] [--dir DIR]
//                     [--only decode,rows,jsonl,csv,dump]
//        bench_render --emit jsonl|csv|dump [PATH/…-Data.db] [--now SECONDS]
//          renders one SSTable (default: the synthetic one of --rows rows)
//          to stdout, for before/after output diffs.
//        bench_render --emit decompress|decode PATH/…-Data.db
//          one pass that only checks and decompresses every chunk, or also
//          decodes every row (stages of scripts/bench.sh); prints counts.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reader/data_file.h"
#include "reader/dump_json.h"
#include "reader/output_sink.h"
#include "reader/row_renderer.h"
#include "reader/sstable.h"
#include "tools/example_writer.h"

namespace sstablefs::tools {
namespace {

using reader::ByteView;
using reader::Cell;
using reader::Row;
using reader::Status;
using reader::Unfiltered;

constexpr char kMarshal[] = "org.apache.cassandra.db.marshal.";
constexpr int kRowsPerPartition = 50;  // ~15 KiB partitions: no column index
constexpr int64_t kBaseMs = 1705312800000LL;  // 2024-01-15T10:00:00Z

// Regular columns in Cassandra's order: simple ones by name, then complex.
enum Regular : uint32_t {
  kActive,   // boolean
  kAge,      // int
  kCreated,  // timestamp
  kId,       // uuid
  kName,     // text
  kScore,    // double
  kVisits,   // bigint
  kTags,     // set<text> (multi-cell)
};

TableSchema BenchSchema() {
  const std::string m = kMarshal;
  TableSchema s;
  s.key_type = m + "UTF8Type";
  s.clustering_types = {m + "Int32Type"};
  s.regulars = {
      {"active", m + "BooleanType"},
      {"age", m + "Int32Type"},
      {"created", m + "TimestampType"},
      {"id", m + "UUIDType"},
      {"name", m + "UTF8Type"},
      {"score", m + "DoubleType"},
      {"visits", m + "LongType"},
      {"tags", m + "SetType(" + m + "UTF8Type)"},
  };
  return s;
}

// splitmix64: deterministic, so every run benchmarks the same bytes.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
};

// Owns the bytes the rows' views point into: one big buffer per value kind
// would move on growth, so values are appended to fixed-size blocks.
class Arena {
 public:
  ByteView Keep(std::string_view s) {
    if (blocks_.empty() || blocks_.back().size() + s.size() > kBlock) {
      blocks_.emplace_back();
      blocks_.back().reserve(std::max(kBlock, s.size()));
    }
    std::string& b = blocks_.back();
    size_t at = b.size();
    b.append(s);
    return ByteView(reinterpret_cast<const uint8_t*>(b.data()) + at, s.size());
  }
  ByteView BigEndian(uint64_t v, int bytes) {
    char buf[8];
    for (int i = 0; i < bytes; ++i) {
      buf[i] = static_cast<char>(v >> (8 * (bytes - 1 - i)));
    }
    return Keep(std::string_view(buf, bytes));
  }

 private:
  static constexpr size_t kBlock = 1 << 20;
  std::vector<std::string> blocks_;
};

constexpr const char* kWords[] = {
    "alpha",  "bravo",   "charlie", "delta",  "echo",   "foxtrot", "golf",
    "hotel",  "india",   "juliett", "kilo",   "lima",   "mike",    "november",
    "oscar",  "papa",    "quebec",  "romeo",  "sierra", "tango",   "uniform",
    "victor", "whiskey", "x-ray",   "yankee", "zulu"};
constexpr size_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);

// A name of 2-4 words; now and then one that needs escaping in JSON or
// quoting in CSV (a quote, a comma, a non-ASCII letter, a line break).
std::string Name(Rng& rng) {
  std::string s;
  int words = 2 + static_cast<int>(rng.Below(3));
  for (int i = 0; i < words; ++i) {
    if (i > 0) s.push_back(' ');
    s += kWords[rng.Below(kWordCount)];
  }
  switch (rng.Below(50)) {
    case 0:
      s += " \"quoted\"";
      break;
    case 1:
      s += ", comma";
      break;
    case 2:
      s += " caf\xc3\xa9";
      break;
    case 3:
      s += "\nsecond line";
      break;
    default:
      break;
  }
  return s;
}

Row BenchRow(Arena& a, Rng& rng, int ck) {
  const int64_t ts = (kBaseMs + ck) * 1000;
  Row row;
  row.clustering.values.push_back(a.BigEndian(static_cast<uint32_t>(ck), 4));
  row.liveness.timestamp = ts;
  auto simple = [&](uint32_t column, ByteView value) {
    Cell c;
    c.column = column;
    c.timestamp = ts;
    c.value = value;
    row.cells.push_back(c);
  };
  simple(kActive, a.Keep(rng.Below(2) ? std::string_view("\1", 1)
                                      : std::string_view("\0", 1)));
  simple(kAge, a.BigEndian(rng.Below(100), 4));
  simple(kCreated,
         a.BigEndian(
             static_cast<uint64_t>(
                 kBaseMs + static_cast<int64_t>(rng.Below(86400000ull * 365))),
             8));
  uint64_t hi = rng.Next(), lo = rng.Next();
  hi = (hi & ~0xf000ull) | 0x4000ull;  // version 4
  lo = (lo & ~(3ull << 62)) | (2ull << 62);
  char uuid[16];
  for (int i = 0; i < 8; ++i) {
    uuid[i] = static_cast<char>(hi >> (56 - 8 * i));
    uuid[8 + i] = static_cast<char>(lo >> (56 - 8 * i));
  }
  simple(kId, a.Keep(std::string_view(uuid, 16)));
  simple(kName, a.Keep(Name(rng)));
  double score = static_cast<double>(rng.Below(10000000)) / 100.0;
  uint64_t bits;
  std::memcpy(&bits, &score, 8);
  simple(kScore, a.BigEndian(bits, 8));
  simple(kVisits, a.BigEndian(rng.Next() >> (rng.Below(40) + 10), 8));
  // A set of 0-3 distinct words, in path (UTF8Type) order.
  std::vector<size_t> tags;
  for (int n = static_cast<int>(rng.Below(4)); n > 0; --n) {
    tags.push_back(rng.Below(kWordCount));
  }
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  for (size_t t : tags) {
    Cell c;
    c.column = kTags;
    c.timestamp = ts;
    c.has_path = true;
    c.path = a.Keep(kWords[t]);
    row.cells.push_back(c);
  }
  return row;
}

Status WriteBenchSSTable(const std::string& dir, int rows, Arena* arena) {
  Rng rng{42};
  std::vector<PartitionData> partitions;
  for (int p = 0; p * kRowsPerPartition < rows; ++p) {
    PartitionData part;
    char key[32];
    std::snprintf(key, sizeof(key), "user-%07d", p);
    part.key = key;
    for (int r = 0; r < kRowsPerPartition && p * kRowsPerPartition + r < rows;
         ++r) {
      Unfiltered u;
      u.row = BenchRow(*arena, rng, r);
      part.unfiltereds.push_back(std::move(u));
    }
    partitions.push_back(std::move(part));
  }
  WriteOptions o;
  o.generation = 1;
  return WriteSSTable(dir, BenchSchema(), std::move(partitions), o);
}

// --- Sinks ------------------------------------------------------------------

class NullSink : public reader::OutputSink {
 public:
  Status Append(std::string_view bytes) override {
    bytes_ += bytes.size();
    if (!bytes.empty()) check_ += static_cast<uint8_t>(bytes.back());
    return Status::Ok();
  }
  uint64_t bytes_ = 0;
  uint64_t check_ = 0;
};

class CountingRowSink : public reader::RowSink {
 public:
  Status Begin(const reader::TableSchema&) override { return Status::Ok(); }
  Status AddRow(const reader::CqlRow& row) override {
    ++rows_;
    for (const auto& c : row.columns) check_ += c.value.size();
    return Status::Ok();
  }
  Status Finish() override { return Status::Ok(); }
  uint64_t rows_ = 0;
  uint64_t check_ = 0;
};

// Counts the rows handed to the wrapped writer.
class RowCounter : public reader::RowSink {
 public:
  explicit RowCounter(reader::RowSink* next) : next_(next) {}
  Status Begin(const reader::TableSchema& s) override {
    return next_->Begin(s);
  }
  Status AddRow(const reader::CqlRow& row) override {
    ++rows_;
    return next_->AddRow(row);
  }
  Status Finish() override { return next_->Finish(); }
  uint64_t rows_ = 0;

 private:
  reader::RowSink* next_;
};

struct PassResult {
  uint64_t out_bytes = 0;  // rendered output (or Data.db bytes decoded)
  uint64_t rows = 0;
  uint64_t check = 0;
};

Status RunDecode(const reader::SSTable& t, PassResult* r) {
  SSTFS_ASSIGN_OR_RETURN(std::unique_ptr<reader::DataInput> in, t.OpenData());
  reader::PartitionIterator it(in.get(), &t.columns(), t.descriptor().version);
  for (it.SeekToFirst(); it.Valid(); it.NextPartition()) {
    for (it.StartRows(); it.RowValid(); it.NextRow()) {
      const Unfiltered& u = it.unfiltered();
      ++r->rows;
      for (const Cell& c : u.row.cells) r->check += c.value.size();
    }
  }
  r->out_bytes += t.data_length();
  return it.status();
}

// Reads every uncompressed byte through the Data.db reader, one chunk at a
// time: each chunk's CRC is checked and it is decompressed; nothing is
// decoded (the `decompress` stage of scripts/bench.sh).
Status RunDecompress(const reader::SSTable& t, PassResult* r) {
  SSTFS_ASSIGN_OR_RETURN(std::unique_ptr<reader::DataInput> in, t.OpenData());
  while (in->position() < in->size()) {
    // Peek(1) hands out the rest of the current chunk without copying.
    SSTFS_ASSIGN_OR_RETURN(reader::ByteView v, in->Peek(1));
    if (v.empty()) break;
    r->check += v.data()[0];
    SSTFS_RETURN_IF_ERROR(in->Skip(v.size()));
  }
  r->out_bytes += t.data_length();
  return Status::Ok();
}

Status RunRows(const reader::SSTable& t, const reader::TableSchema& schema,
               PassResult* r) {
  CountingRowSink sink;
  reader::RowOptions o;
  SSTFS_RETURN_IF_ERROR(reader::RenderSSTableRows(t, schema, o, &sink));
  r->rows += sink.rows_;
  r->check += sink.check_;
  r->out_bytes += t.data_length();
  return Status::Ok();
}

Status RunWriter(const reader::SSTable& t, const reader::TableSchema& schema,
                 reader::RowFormat format, PassResult* r) {
  NullSink sink;
  auto writer = reader::NewRowWriter(format, &sink);
  RowCounter counter(writer.get());
  reader::RowOptions o;
  SSTFS_RETURN_IF_ERROR(counter.Begin(schema));
  SSTFS_RETURN_IF_ERROR(reader::RenderSSTableRows(t, schema, o, &counter));
  SSTFS_RETURN_IF_ERROR(counter.Finish());
  r->out_bytes += sink.bytes_;
  r->rows += counter.rows_;
  r->check += sink.check_;
  return Status::Ok();
}

Status RunDump(const reader::SSTable& t, PassResult* r) {
  NullSink sink;
  reader::DumpOptions o;
  SSTFS_RETURN_IF_ERROR(reader::DumpSSTableJson(t, o, &sink));
  r->out_bytes += sink.bytes_;
  r->check += sink.check_;
  return Status::Ok();
}

struct Stats {
  double median_mbps, best_mbps, median_rows, best_rows;
};

Stats Summarize(std::vector<double> secs, const PassResult& per_rep) {
  std::sort(secs.begin(), secs.end());
  double med = secs.size() % 2 == 1
                   ? secs[secs.size() / 2]
                   : (secs[secs.size() / 2 - 1] + secs[secs.size() / 2]) / 2;
  double best = secs.front();
  double mb = static_cast<double>(per_rep.out_bytes) / 1e6;
  double rows = static_cast<double>(per_rep.rows);
  return Stats{mb / med, mb / best, rows / med, rows / best};
}

// CPU time of this thread: the machines are shared, so wall time also counts
// other processes' turns on the cores; CPU time is the steadier measure.
double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "bench_render: %s\n", s.ToString().c_str());
  return 1;
}

int Emit(const std::string& format, const std::string& path, int64_t now) {
  auto t = reader::SSTable::Open(path, nullptr);
  if (!t.ok()) return Fail(t.status());
  reader::FileSink sink(stdout, "standard output");
  Status s;
  if (format == "decompress" || format == "decode") {
    PassResult r;
    s = format == "decode" ? RunDecode(**t, &r) : RunDecompress(**t, &r);
    std::printf("%s: %" PRIu64 " bytes, %" PRIu64 " rows (check %" PRIu64 ")\n",
                format.c_str(), r.out_bytes, r.rows, r.check);
  } else if (format == "dump") {
    reader::DumpOptions o;
    o.now_seconds = now;
    s = reader::DumpSSTableJson(**t, o, &sink);
  } else {
    reader::TableSchema schema = reader::SchemaFromColumns((*t)->columns());
    auto writer =
        reader::NewRowWriter(format == "csv" ? reader::RowFormat::kCsv
                                             : reader::RowFormat::kJsonLines,
                             &sink);
    reader::RowOptions o;
    o.now_seconds = now;
    s = writer->Begin(schema);
    if (s.ok()) s = reader::RenderSSTableRows(**t, schema, o, writer.get());
    Status f = writer->Finish();
    if (s.ok()) s = f;
  }
  std::fflush(stdout);
  return s.ok() ? 0 : Fail(s);
}

int Main(int argc, char** argv) {
  int rows = 200000;
  int reps = 5;
  double target_mb = 200;
  std::string dir = "/dev/shm";
  std::string only = "decode,rows,jsonl,csv,dump";
  std::string emit;
  int64_t now = 1700000000;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_render: %s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--rows") {
      rows = std::atoi(next());
    } else if (a == "--reps") {
      reps = std::atoi(next());
    } else if (a == "--target-mb") {
      target_mb = std::atof(next());
    } else if (a == "--dir") {
      dir = next();
    } else if (a == "--only") {
      only = next();
    } else if (a == "--emit") {
      emit = next();
    } else if (a == "--now") {
      now = std::atoll(next());
    } else if (!a.empty() && a[0] != '-' && !emit.empty()) {
      path = std::string(a);
    } else {
      std::fprintf(stderr, "usage: see the comment at the top of %s\n",
                   __FILE__);
      return 2;
    }
  }
  if (!emit.empty() && !path.empty()) return Emit(emit, path, now);
  if (rows < 1 || reps < 1) return 2;

  // Scratch SSTable folder, removed at exit.
  std::string scratch = dir + "/sstfs-bench-" + std::to_string(::getpid());
  std::filesystem::create_directories(scratch);
  struct Cleanup {
    std::string d;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(d, ec);
    }
  } cleanup{scratch};
  {
    Arena arena;
    Status s = WriteBenchSSTable(scratch, rows, &arena);
    if (!s.ok()) return Fail(s);
  }
  if (!emit.empty()) return Emit(emit, scratch + "/nb-1-big-Data.db", now);
  auto opened = reader::SSTable::Open(scratch + "/nb-1-big-Data.db", nullptr);
  if (!opened.ok()) return Fail(opened.status());
  const reader::SSTable& t = **opened;
  reader::TableSchema schema = reader::SchemaFromColumns(t.columns());
  std::printf("rows_per_pass: %d rows\n", rows);
  std::printf("data_db_per_pass: %.2f MB\n",
              static_cast<double>(t.data_length()) / 1e6);

  struct Mode {
    const char* name;
    std::function<Status(PassResult*)> run;
  };
  std::vector<Mode> modes = {
      {"decode", [&](PassResult* r) { return RunDecode(t, r); }},
      {"rows", [&](PassResult* r) { return RunRows(t, schema, r); }},
      {"jsonl",
       [&](PassResult* r) {
         return RunWriter(t, schema, reader::RowFormat::kJsonLines, r);
       }},
      {"csv",
       [&](PassResult* r) {
         return RunWriter(t, schema, reader::RowFormat::kCsv, r);
       }},
      {"dump", [&](PassResult* r) { return RunDump(t, r); }},
  };
  uint64_t sink_check = 0;
  for (const Mode& m : modes) {
    if (("," + only + ",").find(std::string(",") + m.name + ",") ==
        std::string::npos) {
      continue;
    }
    // Warm-up pass: sizes the passes per repetition to ~target_mb of output.
    PassResult warm;
    Status s = m.run(&warm);
    if (!s.ok()) return Fail(s);
    int passes = std::max<int>(
        1, static_cast<int>(
               target_mb * 1e6 / std::max<double>(1.0, warm.out_bytes) + 0.5));
    std::vector<double> cpu_secs, wall_secs;
    PassResult per_rep;
    for (int rep = 0; rep < reps; ++rep) {
      PassResult r;
      const double cpu_start = ThreadCpuSeconds();
      auto start = std::chrono::steady_clock::now();
      for (int p = 0; p < passes; ++p) {
        s = m.run(&r);
        if (!s.ok()) return Fail(s);
      }
      auto end = std::chrono::steady_clock::now();
      cpu_secs.push_back(ThreadCpuSeconds() - cpu_start);
      wall_secs.push_back(std::chrono::duration<double>(end - start).count());
      per_rep = r;
      sink_check += r.check;
    }
    Stats st = Summarize(cpu_secs, per_rep);
    Stats wall = Summarize(wall_secs, per_rep);
    const bool binary = std::string_view(m.name) == "decode" ||
                        std::string_view(m.name) == "rows";
    std::printf("%s_output_per_rep: %.1f MB (%d passes%s)\n", m.name,
                static_cast<double>(per_rep.out_bytes) / 1e6, passes,
                binary ? ", Data.db bytes" : "");
    std::printf("%s_median: %.1f MB/s\n", m.name, st.median_mbps);
    std::printf("%s_best: %.1f MB/s\n", m.name, st.best_mbps);
    std::printf("%s_wall_median: %.1f MB/s\n", m.name, wall.median_mbps);
    if (per_rep.rows > 0) {
      std::printf("%s_rows_median: %.3f Mrows/s\n", m.name,
                  st.median_rows / 1e6);
      std::printf("%s_rows_best: %.3f Mrows/s\n", m.name, st.best_rows / 1e6);
    }
    std::fflush(stdout);
  }
  std::fprintf(stderr, "(checksum %" PRIu64 ")\n", sink_check);
  return 0;
}

}  // namespace
}  // namespace sstablefs::tools

int main(int argc, char** argv) { return sstablefs::tools::Main(argc, argv); }
