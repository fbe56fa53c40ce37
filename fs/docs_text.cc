// The small generated files, rendered in one piece: README.txt,
// .sstablefs/status.json and errors.log, schema.cql, metadata.json and the
// verify.txt files (fs/docs_tree.h).
#include <dirent.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fs/docs_tree.h"
#include "reader/file_util.h"
#include "reader/metadata_json.h"
#include "reader/schema.h"
#include "reader/verifier.h"

namespace sstablefs::fs::tree {
namespace {

class TextDocument : public Document {
 public:
  TextDocument(std::function<std::string()> identity,
               std::function<Result<std::string>()> produce, bool persist)
      : identity_(std::move(identity)),
        produce_(std::move(produce)),
        persist_(persist) {}

  std::string Identity() const override { return identity_(); }
  bool persist_size() const override { return persist_; }
  Status Render(const std::string* start, DocumentOutput* out) const override {
    if (start != nullptr) return Status::InvalidArgument("no checkpoints");
    SSTFS_ASSIGN_OR_RETURN(std::string text, produce_());
    return out->Append(text);
  }

 private:
  std::function<std::string()> identity_;
  std::function<Result<std::string>()> produce_;
  bool persist_;
};

// A value computed once, on first use, shared by every render.
template <typename T>
class Once {
 public:
  template <typename Fn>
  T Get(Fn fn) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!value_) value_ = fn();
    return *value_;
  }

 private:
  std::mutex mu_;
  std::optional<T> value_;
};

// Identity of every file directly in `dir` whose name starts with
// `prefix` (all of them for ""), sorted: what the verifier and metadata.json
// look at includes unlisted components and stray files.
std::string FilesIdentity(const std::string& dir, const std::string& prefix) {
  std::vector<std::string> names;
  // reader::ListFolderEntries: listing never changes the folder's atime.
  if (auto entries = reader::ListFolderEntries(dir); entries.ok()) {
    for (reader::FolderEntry& e : *entries) {
      if (e.name.compare(0, prefix.size(), prefix) == 0) {
        names.push_back(std::move(e.name));
      }
    }
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (const std::string& n : names) out += "\n" + FileIdentity(dir + "/" + n);
  return out;
}

std::string ComponentsIdentity(const reader::Descriptor& d) {
  return FilesIdentity(d.directory, d.prefix() + "-");
}

std::string SourceKindText(reader::SourceKind k) {
  switch (k) {
    case reader::SourceKind::kDataDirectory:
      return "a Cassandra data directory: a folder per keyspace, a folder per "
             "table inside";
    case reader::SourceKind::kKeyspace:
      return "one keyspace folder: a folder per table";
    case reader::SourceKind::kTable:
      return "one table folder: the table's files are right here";
    case reader::SourceKind::kSnapshot:
      return "one snapshot of a table: the table's files are right here";
    case reader::SourceKind::kBackups:
      return "the incremental backups of a table: the table's files are "
             "right here";
    default:
      return "a folder of SSTables, read as one table: its files are right "
             "here";
  }
}

std::string ReadmeText(const TreeContext& tc) {
  std::string t;
  t += "sstablefs: a read-only view of Apache Cassandra SSTables\n";
  t += "=========================================================\n\n";
  t += "Source: " + tc.source() + "\n";
  t += "Shown as " + SourceKindText(tc.kind()) + ".\n";
  t += "TTLs expire at " + std::to_string(tc.now_seconds()) +
       " (seconds since the epoch; mount option now=).\n\n";
  t += R"(Every file here is generated from the SSTables on read; nothing in the
source is ever written, locked or has its access time changed. Writes of any
kind fail with "Read-only file system".

Layout
------
  README.txt                 this file
  .sstablefs/status.json     cache use, SSTables opened, background work
  .sstablefs/errors.log      one line per damaged item found so far
  <keyspace>/<table>/        (the levels SOURCE implies)
    schema.cql               CREATE TYPE / CREATE TABLE statements
    rows.jsonl               every live row, merged across SSTables, one
                             JSON object per line (SELECT JSON * form)
    rows.csv                 the same rows as CSV with a header line
    partitions.csv           a line per partition: key, token, sstables,
                             rows, bytes, tombstones
    verify.txt               integrity verdict of every SSTable of the table
    partitions/<key>/        a folder per partition key:
      rows.jsonl, rows.csv   the partition's live rows
      history.jsonl          every version of every cell and tombstone in
                             every SSTable, with writetime, ttl and expiry
    sstables/<descriptor>/   one folder per SSTable (e.g. nb-1-big):
      data.json              sstabledump-compatible JSON
      metadata.json          Statistics.db, header, compression, TOC, sizes
      verify.txt             the SSTable's integrity verdict (checked when
                             first read)
      files/                 the original component files, byte-identical
    sstables/.<index>/       secondary index SSTables
    snapshots/<name>/        the same table layout for each snapshot
    backups/                 the same table layout for incremental backups

Partition folder names are the key in CQL literal text (composite keys joined
with ':'; '/', '%', ':' and control bytes written %XX; names over 255 bytes as
~<token>.<hash>). `cd partitions/<key>` works for any key, listed or not: it
is found through the partition index.

Sizes are exact (ls -l, stat, cp, tar, rsync agree with cat). A size that
needs a rendering pass is computed once, in the background after mounting,
and kept in the cache directory.

A damaged SSTable makes the files that need the damaged part fail with an
I/O error and adds a line to .sstablefs/errors.log; everything else keeps
working. See sstablefs(1).
)";
  return t;
}

std::string TableVerifyText(const TableModel& model,
                            const reader::FolderReport& folder) {
  std::string t = "verify.txt: " + model.spec().label + " (" +
                  model.spec().folder.path + ")\n";
  for (const reader::SSTableReport& r : folder.sstables) {
    t += r.name + ": ";
    if (!r.supported) {
      t += "not checked (unsupported format)\n";
    } else {
      t += r.HasErrors() ? "DAMAGED\n" : "ok\n";
    }
    for (const reader::Finding& f : r.findings) {
      t += "  " + reader::FormatFinding(f) + "\n";
    }
  }
  if (!folder.findings.empty()) {
    t += "folder:\n";
    for (const reader::Finding& f : folder.findings) {
      t += "  " + reader::FormatFinding(f) + "\n";
    }
  }
  reader::VerifyReport report;
  report.source = folder.directory;
  report.folders.push_back(folder);
  t += reader::FormatSummary(report) + "\n";
  t += report.ExitCode() == 0 ? "verdict: ok\n" : "verdict: DAMAGED\n";
  return t;
}

}  // namespace

std::shared_ptr<const Document> MakeTextDocument(
    std::function<std::string()> identity,
    std::function<Result<std::string>()> produce, bool persist_size) {
  return std::make_shared<TextDocument>(std::move(identity), std::move(produce),
                                        persist_size);
}

std::shared_ptr<const Document> MakeSchemaCqlDocument(
    std::shared_ptr<TableModel> model) {
  auto render = [model]() -> Result<std::string> {
    SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<const reader::Table> table,
                           model->GetTable());
    std::string cql = reader::RenderSchemaCql(table->schema());
    // What did not fit (type conflicts, unknown columns) as comments.
    for (std::string w : model->warnings()) {
      for (char& ch : w) {
        if (ch == '\n' || ch == '\r') ch = ' ';
      }
      cql += "-- warning: " + w + "\n";
    }
    return cql;
  };
  return MakeTextDocument([model] { return model->Identity("schema.cql"); },
                          render);
}

std::shared_ptr<const Document> MakeTableVerifyDocument(
    std::shared_ptr<TableModel> model) {
  auto cache = std::make_shared<Once<std::string>>();
  return MakeTextDocument(
      [model] {
        return "table verify.txt\n" + model->spec().folder.path +
               FilesIdentity(model->spec().folder.path, "");
      },
      [model, cache]() -> Result<std::string> {
        return cache->Get([&] {
          reader::FolderReport folder = reader::VerifyFolder(
              model->spec().folder.path, model->spec().kind, {});
          // Each SSTable's own verify.txt reuses this run.
          for (const reader::SSTableReport& r : folder.sstables) {
            for (const auto& slot : model->slots()) {
              if (slot->name() == r.name) slot->OfferReport(r);
            }
          }
          for (const reader::Finding& f : folder.findings) {
            if (f.severity == reader::Severity::kError) {
              std::string line = reader::FormatFinding(f);
              if (line.rfind("sstablefs: ", 0) == 0) line.erase(0, 11);
              model->tc()->mount()->errors().Report(line);
            }
          }
          return TableVerifyText(*model, folder);
        });
      },
      /*persist_size=*/true);
}

std::shared_ptr<const Document> MakeMetadataJsonDocument(
    std::shared_ptr<SSTableSlot> slot) {
  return MakeTextDocument(
      [slot] {
        return "metadata.json" + ComponentsIdentity(slot->descriptor());
      },
      [slot]() -> Result<std::string> {
        std::vector<std::string> warnings;
        Result<std::shared_ptr<reader::SSTable>> s = slot->Get();
        if (s.ok()) warnings = (*s)->warnings();
        return reader::RenderMetadataJson(slot->descriptor(), warnings);
      });
}

std::shared_ptr<const Document> MakeSSTableVerifyDocument(
    std::shared_ptr<SSTableSlot> slot) {
  return MakeTextDocument(
      [slot] { return "verify.txt" + ComponentsIdentity(slot->descriptor()); },
      [slot]() -> Result<std::string> {
        return reader::FormatSSTableVerdict(slot->Verify());
      },
      /*persist_size=*/true);
}

std::shared_ptr<const Document> MakeReadmeDocument(TreeContextPtr tc) {
  return MakeTextDocument(
      [tc] {
        return "README.txt\n" + tc->source() + "\n" +
               std::to_string(tc->now_seconds());
      },
      [tc]() -> Result<std::string> { return ReadmeText(*tc); });
}

std::shared_ptr<const Document> MakeStatusJsonDocument(MountContext* ctx) {
  return MakeTextDocument(
      [] { return std::string("status.json"); },
      [ctx]() -> Result<std::string> { return ctx->StatusJson(); });
}

std::shared_ptr<const Document> MakeErrorsLogDocument(MountContext* ctx) {
  return MakeTextDocument(
      [] { return std::string("errors.log"); },
      [ctx]() -> Result<std::string> { return ctx->errors().Text(); });
}

}  // namespace sstablefs::fs::tree
