// Internals of the mount's virtual tree (fs/tree.h): the state shared by all
// nodes of one mount (TreeContext), the lazily opened SSTables and tables
// (SSTableSlot, TableModel) and the generic directory node (StaticDir).
// Node kinds live in fs/node_*.cc, generated documents in fs/docs_*.cc.
//
// Laziness: constructing any of these does no I/O beyond what the SOURCE
// listing already did. SSTables open on first Get(), tables on first
// GetTable(), schemas (system_schema, schema.cql, -o schema=) on first use;
// each is opened once and cached, failures included (a damaged SSTable keeps
// failing the same way without being re-read, and is reported to errors.log
// once).
//
// Thread-safety: every class here is safe to use from several threads.
#ifndef SSTABLEFS_FS_TREE_INTERNAL_H_
#define SSTABLEFS_FS_TREE_INTERNAL_H_

#include <sys/stat.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fs/mount_context.h"
#include "fs/vtree.h"
#include "reader/row_renderer.h"
#include "reader/schema.h"
#include "reader/source_layout.h"
#include "reader/sstable.h"
#include "reader/table.h"
#include "reader/verifier.h"

namespace sstablefs::fs::tree {

// "path:size:mtime_ns" of a file, or "path:missing" (document identities).
std::string FileIdentity(const std::string& path);

// Owner, group, mtime of `st`; mode without write bits (SPEC §2).
NodeAttr AttrFromStat(const struct stat& st, bool is_dir);

// Everything the nodes of one mount share.
class TreeContext {
 public:
  TreeContext(MountContext* ctx, reader::SourceKind kind, std::string source);

  MountContext* mount() const { return ctx_; }
  reader::SourceKind kind() const { return kind_; }
  const std::string& source() const { return source_; }
  // The instant TTLs expire at: now= or the mount time.
  int64_t now_seconds() const { return now_; }
  reader::RowOptions row_options() const;

  // uid=/gid= options applied.
  NodeAttr Adjust(NodeAttr attr) const;
  // Attributes of the folder `path` (its stat; the SOURCE root's when it
  // cannot be stat()ed).
  NodeAttr DirAttr(const std::string& path) const;
  // A generated file made from the folder `path` (README.txt, .sstablefs/).
  NodeAttr FileAttrOfDir(const std::string& path) const;

  // SPEC §5: the table's schema from system_schema, then its snapshots'
  // schema.cql, then -o schema= files, then `headers`. Warnings appended.
  reader::TableSchema ResolveSchema(
      const std::string& keyspace, const std::string& table,
      const std::string& id, const std::vector<std::string>& schema_cql,
      const std::vector<const reader::Columns*>& headers,
      std::vector<std::string>* warnings);
  // What ResolveSchema's choice depends on besides the headers (identities
  // of the schema files), for document identities. Cheap after first use.
  std::string SchemaIdentity(const std::vector<std::string>& schema_cql);

 private:
  const reader::SchemaCatalog* SystemCatalog();
  const reader::SchemaCatalog* OptionCatalog();
  const reader::SchemaCatalog* CqlCatalog(const std::string& path,
                                          const std::string& keyspace);

  MountContext* ctx_;
  reader::SourceKind kind_;
  std::string source_;
  int64_t now_;

  std::mutex mu_;
  bool system_loaded_ = false;
  std::unique_ptr<reader::SchemaCatalog> system_;
  std::string system_identity_;
  bool options_loaded_ = false;
  std::unique_ptr<reader::SchemaCatalog> options_;
  std::map<std::string, std::unique_ptr<reader::SchemaCatalog>> cql_;
};

// Shared by every node of the mount; nodes keep it alive.
using TreeContextPtr = std::shared_ptr<TreeContext>;

// One SSTable of a folder, opened on first use.
class SSTableSlot {
 public:
  SSTableSlot(TreeContextPtr tc, reader::Descriptor d);

  const reader::Descriptor& descriptor() const { return d_; }
  std::string name() const { return d_.prefix(); }
  // Opens once (SSTable::Open on its Data.db, or TOC.txt when Data.db is
  // missing); a failure is reported to errors.log and returned every time.
  Result<std::shared_ptr<reader::SSTable>> Get();
  // Identities of Data.db and Statistics.db.
  std::string Identity() const;
  // Owner/group/mode/mtime of its Data.db (else any component, else the
  // folder). Stat()ed once.
  NodeAttr FileAttr();
  // The verifier's report, computed on first use (or taken from a table
  // verify.txt run); its errors go to errors.log.
  reader::SSTableReport Verify();
  void OfferReport(const reader::SSTableReport& report);
  // Whether rendered output depends on `now` (TTL'd data, or unknown).
  bool NowDependent();

 private:
  TreeContextPtr tc_;
  reader::Descriptor d_;
  std::mutex mu_;
  bool opened_ = false;
  Result<std::shared_ptr<reader::SSTable>> sstable_ =
      Status::NotFound("not opened");
  std::optional<NodeAttr> attr_;
  std::optional<reader::SSTableReport> report_;
};

// A folder of SSTables shown with the table layout (live table, snapshot,
// backups, loose folder), or an index folder (sstables/ only).
struct TableSpec {
  std::string keyspace;  // "" when unknown
  std::string table;     // "" when unknown
  std::string id;        // "" when unknown
  std::string kind;      // "table", "snapshot", "backups", "folder", "index"
  std::string label;     // for messages: "ks/t", "ks/t snapshot s1"
  reader::SSTableFolder folder;
  // schema.cql files that may describe the table, most trusted first (the
  // snapshot's own, then the table's other snapshots').
  std::vector<std::string> schema_cql;
  // Live table only.
  std::vector<reader::TableFolder::Snapshot> snapshots;
  std::optional<reader::SSTableFolder> backups;
  std::vector<reader::TableFolder::Index> indexes;
  std::string table_folder;  // the table folder (for snapshots' schema)
};

class TableModel {
 public:
  TableModel(TreeContextPtr tc, TableSpec spec);

  TreeContext* tc() const { return tc_.get(); }
  const TreeContextPtr& tc_ptr() const { return tc_; }
  const TableSpec& spec() const { return spec_; }
  const std::vector<std::shared_ptr<SSTableSlot>>& slots() const {
    return slots_;
  }

  // The merged table: every SSTable opened, the schema resolved. Opened
  // once; an SSTable that fails to open fails the table (kCorruption /
  // kUnsupported naming it) — the other tables are unaffected.
  Result<std::shared_ptr<const reader::Table>> GetTable();
  // Warnings of schema recovery and of the merge (type conflicts, unknown
  // columns, partitioner mismatches); empty until GetTable() ran.
  std::vector<std::string> warnings();
  // The partition key type as the headers store it (CompositeType for
  // several components); requires GetTable() to succeed.
  Result<reader::CqlTypePtr> KeyType();

  // Identity of a document of `kind` over the whole table.
  std::string Identity(std::string_view kind);
  // Attributes of a generated file of the table (its SSTable files': the
  // first one's owner/group, modes intersected, newest mtime), and of a
  // folder standing for the table folder.
  NodeAttr FileAttr();
  NodeAttr DirAttr();

 private:
  TreeContextPtr tc_;
  TableSpec spec_;
  std::vector<std::shared_ptr<SSTableSlot>> slots_;
  std::mutex mu_;
  bool opened_ = false;
  Result<std::shared_ptr<const reader::Table>> table_ =
      Status::NotFound("not opened");
  std::vector<std::string> warnings_;
  std::mutex attr_mu_;  // not mu_: attributes never wait for GetTable()
  std::optional<NodeAttr> file_attr_;
  std::optional<NodeAttr> dir_attr_;
  std::string inputs_identity_;
};

// A directory whose entries are computed once (on first Lookup/OpenDir) and
// whose child nodes are created on first lookup and then kept, so that the
// same Node (and its computed size) serves every later lookup.
struct ChildSpec {
  std::string name;
  bool is_dir = false;
  std::function<Result<std::shared_ptr<Node>>()> make;
};

class StaticDir : public Node {
 public:
  using Lister = std::function<Result<std::vector<ChildSpec>>()>;
  StaticDir(NodeAttr attr, Lister lister);
  StaticDir(NodeAttr attr, std::vector<ChildSpec> children);

  bool is_dir() const override { return true; }
  Result<NodeAttr> GetAttr() override { return attr_; }
  Result<std::shared_ptr<Node>> Lookup(std::string_view name) override;
  Result<std::unique_ptr<DirCursor>> OpenDir() override;

 private:
  struct Listing;
  Result<std::shared_ptr<Listing>> GetListing();

  NodeAttr attr_;
  Lister lister_;
  std::mutex mu_;
  std::shared_ptr<Listing> listing_;
};

// The table layout folder (SPEC §2 <table>/): schema.cql, rows.jsonl,
// rows.csv, partitions.csv, verify.txt, partitions/, sstables/, and for a
// live table snapshots/ and backups/. `extra` entries come first (the root
// of a table SOURCE adds README.txt and .sstablefs/).
class TableDir : public StaticDir {
 public:
  TableDir(NodeAttr attr, std::shared_ptr<TableModel> model,
           std::vector<ChildSpec> children)
      : StaticDir(attr, std::move(children)), model_(std::move(model)) {}
  const std::shared_ptr<TableModel>& model() const { return model_; }

 private:
  std::shared_ptr<TableModel> model_;
};
std::shared_ptr<TableDir> MakeTableDir(std::shared_ptr<TableModel> model,
                                       std::vector<ChildSpec> extra);

// sstables/: a folder per SSTable, plus `.<index>` folders.
std::shared_ptr<Node> MakeSSTablesDir(const std::shared_ptr<TableModel>& model);
// sstables/<descriptor>/: data.json, metadata.json, verify.txt, files/.
std::shared_ptr<Node> MakeSSTableDir(const TreeContextPtr& tc,
                                     std::shared_ptr<SSTableSlot> slot,
                                     NodeAttr dir_attr);
// A file of SOURCE served as is (files/).
std::shared_ptr<Node> MakePassthroughFile(std::string path, TreeContextPtr tc);
// partitions/.
std::shared_ptr<Node> MakePartitionsDir(std::shared_ptr<TableModel> model);

// README.txt and .sstablefs/ of the root.
std::vector<ChildSpec> RootExtras(const TreeContextPtr& tc);

}  // namespace sstablefs::fs::tree

#endif  // SSTABLEFS_FS_TREE_INTERNAL_H_
