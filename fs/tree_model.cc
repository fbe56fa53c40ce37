// TreeContext, SSTableSlot and TableModel: the lazily opened state behind
// the mount's nodes (fs/tree_internal.h).
#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "fs/tree_internal.h"
#include "reader/file_util.h"

namespace sstablefs::fs::tree {
namespace {

// ErrorLog::Report adds the "sstablefs: " prefix FormatFinding already has.
std::string WithoutProgramPrefix(std::string line) {
  constexpr std::string_view kPrefix = "sstablefs: ";
  if (line.compare(0, kPrefix.size(), kPrefix) == 0) {
    line.erase(0, kPrefix.size());
  }
  return line;
}

bool IsDamage(const Status& s) {
  return s.code() == reader::StatusCode::kCorruption ||
         s.code() == reader::StatusCode::kIoError;
}

// A table definition of `catalog` for this table. With a known keyspace the
// match is exact (system_schema); otherwise (and for CQL files, whose
// keyspace may differ from the folder's) by table name when unambiguous, or
// the catalog's only table for a folder whose table name is unknown.
const reader::CqlTableDef* FindDef(const reader::SchemaCatalog& catalog,
                                   const std::string& keyspace,
                                   const std::string& table,
                                   const std::string& id, bool strict) {
  if (!table.empty() && !keyspace.empty()) {
    if (const reader::CqlTableDef* d = catalog.FindTable(keyspace, table, id)) {
      return d;
    }
  }
  if (strict) return nullptr;
  if (table.empty()) {
    return catalog.tables().size() == 1 ? &catalog.tables()[0] : nullptr;
  }
  const reader::CqlTableDef* found = nullptr;
  int matches = 0;
  for (const reader::CqlTableDef& t : catalog.tables()) {
    if (t.table == table && (id.empty() || t.id.empty() || t.id == id)) {
      found = &t;
      ++matches;
    }
  }
  return matches == 1 ? found : nullptr;
}

}  // namespace

std::string FileIdentity(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return path + ":missing";
  return path + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 +
                        st.st_mtim.tv_nsec);
}

NodeAttr AttrFromStat(const struct stat& st, bool is_dir) {
  NodeAttr a;
  a.is_dir = is_dir;
  a.mode = st.st_mode & 0555;
  a.uid = st.st_uid;
  a.gid = st.st_gid;
  a.mtime = st.st_mtim;
  a.nlink = is_dir ? 2 : 1;
  return a;
}

// --- TreeContext -------------------------------------------------------------

TreeContext::TreeContext(MountContext* ctx, reader::SourceKind kind,
                         std::string source)
    : ctx_(ctx), kind_(kind), source_(std::move(source)) {
  now_ = ctx_->options().now_seconds != 0
             ? ctx_->options().now_seconds
             : static_cast<int64_t>(std::time(nullptr));
}

reader::RowOptions TreeContext::row_options() const {
  reader::RowOptions o;
  o.now_seconds = now_;
  return o;
}

NodeAttr TreeContext::Adjust(NodeAttr attr) const {
  if (ctx_->options().uid) attr.uid = *ctx_->options().uid;
  if (ctx_->options().gid) attr.gid = *ctx_->options().gid;
  return attr;
}

NodeAttr TreeContext::DirAttr(const std::string& path) const {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 && ::stat(source_.c_str(), &st) != 0) {
    NodeAttr a;
    a.is_dir = true;
    a.mode = 0555;
    a.nlink = 2;
    return Adjust(a);
  }
  return Adjust(AttrFromStat(st, true));
}

NodeAttr TreeContext::FileAttrOfDir(const std::string& path) const {
  NodeAttr a = DirAttr(path);
  a.is_dir = false;
  a.mode &= 0444;
  a.nlink = 1;
  return a;
}

const reader::SchemaCatalog* TreeContext::SystemCatalog() {
  // Caller holds mu_.
  if (!system_loaded_) {
    system_loaded_ = true;
    if (kind_ == reader::SourceKind::kDataDirectory) {
      Result<reader::SchemaCatalog> cat =
          reader::SchemaCatalog::FromSystemSchema(source_, ctx_->chunk_cache());
      if (cat.ok()) {
        system_ = std::make_unique<reader::SchemaCatalog>(*std::move(cat));
      } else if (!cat.status().IsNotFound()) {
        ctx_->errors().Report(cat.status());
      }
    }
  }
  return system_.get();
}

const reader::SchemaCatalog* TreeContext::OptionCatalog() {
  // Caller holds mu_.
  if (!options_loaded_) {
    options_loaded_ = true;
    for (const std::string& path : ctx_->options().schema_files) {
      Result<reader::SchemaCatalog> cat =
          reader::SchemaCatalog::FromCqlFile(path, "");
      if (!cat.ok()) {
        ctx_->errors().Report(cat.status());
        continue;
      }
      if (options_ == nullptr) {
        options_ = std::make_unique<reader::SchemaCatalog>(*std::move(cat));
      } else {
        options_->MergeFrom(*cat);
      }
    }
  }
  return options_.get();
}

const reader::SchemaCatalog* TreeContext::CqlCatalog(
    const std::string& path, const std::string& keyspace) {
  // Caller holds mu_.
  const std::string cache_key = keyspace + "\n" + path;
  auto it = cql_.find(cache_key);
  if (it == cql_.end()) {
    Result<reader::SchemaCatalog> cat =
        reader::SchemaCatalog::FromCqlFile(path, keyspace);
    std::unique_ptr<reader::SchemaCatalog> value;
    if (cat.ok()) {
      value = std::make_unique<reader::SchemaCatalog>(*std::move(cat));
    } else {
      ctx_->errors().Report(cat.status());
    }
    it = cql_.emplace(cache_key, std::move(value)).first;
  }
  return it->second.get();
}

reader::TableSchema TreeContext::ResolveSchema(
    const std::string& keyspace, const std::string& table,
    const std::string& id, const std::vector<std::string>& schema_cql,
    const std::vector<const reader::Columns*>& headers,
    std::vector<std::string>* warnings) {
  const reader::CqlTableDef* def = nullptr;
  reader::SchemaSource source = reader::SchemaSource::kHeader;
  {
    // Catalogs live as long as the context, so `def` stays valid after the
    // lock is released.
    std::lock_guard<std::mutex> lock(mu_);
    if (const reader::SchemaCatalog* sys = SystemCatalog()) {
      def = FindDef(*sys, keyspace, table, id, /*strict=*/true);
      source = reader::SchemaSource::kSystemSchema;
    }
    for (size_t i = 0; def == nullptr && i < schema_cql.size(); ++i) {
      if (const reader::SchemaCatalog* c =
              CqlCatalog(schema_cql[i], keyspace)) {
        def = FindDef(*c, keyspace, table, id, /*strict=*/false);
        source = reader::SchemaSource::kSnapshotCql;
      }
    }
    if (def == nullptr) {
      if (const reader::SchemaCatalog* opt = OptionCatalog()) {
        def = FindDef(*opt, keyspace, table, id, /*strict=*/false);
        source = reader::SchemaSource::kOptionCql;
      }
    }
  }
  if (def == nullptr) source = reader::SchemaSource::kHeader;
  reader::TableSchema schema =
      reader::ResolveTableSchema(def, headers, source, warnings);
  if (schema.keyspace.empty()) schema.keyspace = keyspace;
  if (schema.table.empty()) schema.table = table;
  return schema;
}

std::string TreeContext::SchemaIdentity(
    const std::vector<std::string>& schema_cql) {
  std::string out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (kind_ == reader::SourceKind::kDataDirectory &&
        system_identity_.empty()) {
      // Every file of system_schema: any change there may change names.
      // system_schema/<table>-<id>/<files> (and snapshots/… below them),
      // listed without changing folder atimes.
      std::vector<std::string> files;
      std::vector<std::string> pending = {source_ + "/system_schema"};
      while (!pending.empty()) {
        const std::string dir = std::move(pending.back());
        pending.pop_back();
        auto entries = reader::ListFolderEntries(dir);
        if (!entries.ok()) continue;
        for (const reader::FolderEntry& e : *entries) {
          if (e.is_dir) pending.push_back(dir + "/" + e.name);
          if (e.is_file) files.push_back(dir + "/" + e.name);
        }
      }
      std::sort(files.begin(), files.end());
      system_identity_ = "system_schema";
      for (const std::string& f : files) {
        system_identity_ += "\n" + FileIdentity(f);
      }
    }
    out = system_identity_;
  }
  for (const std::string& p : schema_cql) out += "\n" + FileIdentity(p);
  for (const std::string& p : ctx_->options().schema_files) {
    out += "\nschema=" + FileIdentity(p);
  }
  return out;
}

// --- SSTableSlot -------------------------------------------------------------

SSTableSlot::SSTableSlot(TreeContextPtr tc, reader::Descriptor d)
    : tc_(std::move(tc)), d_(std::move(d)) {}

Result<std::shared_ptr<reader::SSTable>> SSTableSlot::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!opened_) {
    opened_ = true;
    std::string path = d_.ComponentPath("Data.db");
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) path = d_.ComponentPath("TOC.txt");
    sstable_ = reader::SSTable::Open(path, tc_->mount()->chunk_cache());
    if (sstable_.ok()) {
      tc_->mount()->sstables_opened.fetch_add(1);
    } else if (IsDamage(sstable_.status())) {
      tc_->mount()->errors().Report(sstable_.status());
    }
  }
  return sstable_;
}

std::string SSTableSlot::Identity() const {
  return FileIdentity(d_.ComponentPath("Data.db")) + "\n" +
         FileIdentity(d_.ComponentPath("Statistics.db"));
}

NodeAttr SSTableSlot::FileAttr() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!attr_) {
    struct stat st;
    bool found = false;
    for (const char* c : {"Data.db", "Statistics.db", "TOC.txt"}) {
      if (::stat(d_.ComponentPath(c).c_str(), &st) == 0) {
        found = true;
        break;
      }
    }
    attr_ = found ? tc_->Adjust(AttrFromStat(st, false))
                  : tc_->FileAttrOfDir(d_.directory);
  }
  return *attr_;
}

reader::SSTableReport SSTableSlot::Verify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (report_) return *report_;
  }
  // Verification reads every byte: run it outside the lock (a concurrent
  // first reader may duplicate the work; the first result is kept).
  reader::SSTableReport report = reader::VerifySSTable(d_, {});
  OfferReport(report);
  std::lock_guard<std::mutex> lock(mu_);
  return *report_;
}

void SSTableSlot::OfferReport(const reader::SSTableReport& report) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (report_) return;
    report_ = report;
  }
  for (const reader::Finding& f : report.findings) {
    if (f.severity == reader::Severity::kError) {
      tc_->mount()->errors().Report(
          WithoutProgramPrefix(reader::FormatFinding(f)));
    }
  }
}

bool SSTableSlot::NowDependent() {
  Result<std::shared_ptr<reader::SSTable>> s = Get();
  if (!s.ok() || !(*s)->statistics().stats) return true;
  return (*s)->statistics().stats->max_ttl > 0;
}

// --- TableModel --------------------------------------------------------------

TableModel::TableModel(TreeContextPtr tc, TableSpec spec)
    : tc_(std::move(tc)), spec_(std::move(spec)) {
  for (const reader::Descriptor& d : spec_.folder.sstables) {
    slots_.push_back(std::make_shared<SSTableSlot>(tc_, d));
  }
}

Result<std::shared_ptr<const reader::Table>> TableModel::GetTable() {
  std::lock_guard<std::mutex> lock(mu_);
  if (opened_) return table_;
  opened_ = true;
  std::vector<std::shared_ptr<reader::SSTable>> sstables;
  std::vector<const reader::Columns*> headers;
  std::vector<std::string> warnings;
  for (const std::shared_ptr<SSTableSlot>& slot : slots_) {
    Result<std::shared_ptr<reader::SSTable>> s = slot->Get();
    if (!s.ok() && s.status().IsUnsupported()) {
      // A format we cannot decode (e.g. the bti twin of a big SSTable in
      // Cassandra's legacy test folders) is not damage: the table shows
      // what the readable SSTables hold, and schema.cql says what was left
      // out. Its files/ and metadata.json stay available.
      warnings.push_back(s.status().message() +
                         "; its rows are not part of this table view");
      continue;
    }
    if (!s.ok()) {
      table_ = s.status().WithContext(spec_.label);
      return table_;
    }
    headers.push_back(&(*s)->columns());
    sstables.push_back(*std::move(s));
  }
  reader::TableSchema schema =
      tc_->ResolveSchema(spec_.keyspace, spec_.table, spec_.id,
                         spec_.schema_cql, headers, &warnings);
  table_ = reader::Table::Open(std::move(sstables), std::move(schema));
  warnings_ = std::move(warnings);
  if (table_.ok()) {
    for (const std::string& w : (*table_)->warnings()) warnings_.push_back(w);
    tc_->mount()->tables_opened.fetch_add(1);
  } else if (IsDamage(table_.status())) {
    tc_->mount()->errors().Report(table_.status());
  }
  return table_;
}

std::vector<std::string> TableModel::warnings() {
  std::lock_guard<std::mutex> lock(mu_);
  return warnings_;
}

Result<reader::CqlTypePtr> TableModel::KeyType() {
  SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<const reader::Table> table,
                         GetTable());
  if (table->sstables().empty()) {
    return Status::NotFound(spec_.label + ": no SSTables");
  }
  return table->sstables()[0]->columns().key_type;
}

std::string TableModel::Identity(std::string_view kind) {
  std::string inputs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    inputs = inputs_identity_;
  }
  if (inputs.empty()) {
    inputs = "table " + spec_.label;
    bool now_dependent = false;
    for (const std::shared_ptr<SSTableSlot>& slot : slots_) {
      inputs += "\n" + slot->Identity();
      now_dependent = now_dependent || slot->NowDependent();
    }
    inputs += "\n" + tc_->SchemaIdentity(spec_.schema_cql);
    if (now_dependent) inputs += "\nnow=" + std::to_string(tc_->now_seconds());
    std::lock_guard<std::mutex> lock(mu_);
    inputs_identity_ = inputs;
  }
  return std::string(kind) + "\n" + inputs;
}

NodeAttr TableModel::FileAttr() {
  {
    std::lock_guard<std::mutex> lock(attr_mu_);
    if (file_attr_) return *file_attr_;
  }
  NodeAttr attr;
  if (slots_.empty()) {
    attr = tc_->FileAttrOfDir(spec_.folder.path);
  } else {
    attr = slots_[0]->FileAttr();
    for (size_t i = 1; i < slots_.size(); ++i) {
      NodeAttr a = slots_[i]->FileAttr();
      attr.mode &= a.mode;
      if (a.mtime.tv_sec > attr.mtime.tv_sec ||
          (a.mtime.tv_sec == attr.mtime.tv_sec &&
           a.mtime.tv_nsec > attr.mtime.tv_nsec)) {
        attr.mtime = a.mtime;
      }
    }
  }
  std::lock_guard<std::mutex> lock(attr_mu_);
  file_attr_ = attr;
  return attr;
}

NodeAttr TableModel::DirAttr() {
  // partitions/ shows one folder per key with these attributes: stat once.
  std::lock_guard<std::mutex> lock(attr_mu_);
  if (!dir_attr_) dir_attr_ = tc_->DirAttr(spec_.folder.path);
  return *dir_attr_;
}

}  // namespace sstablefs::fs::tree
