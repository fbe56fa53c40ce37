// BuildRoot: the root of the mount mirrors SOURCE (SPEC §2) — keyspaces for
// a data directory, tables for a keyspace folder, the table layout itself for
// a table folder, snapshot, backups or loose folder of SSTables.
#include "fs/tree.h"

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "fs/docs_tree.h"
#include "fs/tree_internal.h"
#include "reader/source_layout.h"
#include "reader/verifier.h"

namespace sstablefs::fs {
namespace tree {
namespace {

std::string BaseName(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}
std::string Parent(const std::string& path) {
  return std::filesystem::path(path).parent_path().string();
}

TableSpec SpecFromTableFolder(const reader::TableFolder& tf) {
  TableSpec s;
  s.keyspace = tf.keyspace;
  s.table = tf.table;
  s.id = tf.id;
  s.kind = "table";
  s.label = tf.keyspace.empty() ? tf.display_name
                                : tf.keyspace + "/" + tf.display_name;
  s.folder = tf.live;
  // Any snapshot's schema.cql describes the table (newest name first).
  for (auto it = tf.snapshots.rbegin(); it != tf.snapshots.rend(); ++it) {
    if (!it->schema_cql_path.empty())
      s.schema_cql.push_back(it->schema_cql_path);
  }
  s.snapshots = tf.snapshots;
  s.backups = tf.backups;
  s.indexes = tf.indexes;
  s.table_folder = tf.path;
  return s;
}

// SOURCE is a snapshot, backups or loose folder: what the path says about
// the table (…/<ks>/<table>-<id>/snapshots/<name>,
// …/<ks>/<table>-<id>/backups).
TableSpec SpecFromFolder(reader::SourceKind kind, const std::string& source,
                         reader::SSTableFolder folder) {
  TableSpec s;
  std::string table_dir;
  if (kind == reader::SourceKind::kSnapshot) {
    s.kind = "snapshot";
    table_dir = Parent(Parent(source));
    const std::string cql = source + "/schema.cql";
    struct stat st;
    if (::stat(cql.c_str(), &st) == 0) s.schema_cql.push_back(cql);
  } else if (kind == reader::SourceKind::kBackups) {
    s.kind = "backups";
    table_dir = Parent(source);
  } else {
    s.kind = "folder";
  }
  if (!table_dir.empty() &&
      reader::ParseTableFolderName(BaseName(table_dir), &s.table, &s.id)) {
    s.keyspace = BaseName(Parent(table_dir));
    s.table_folder = table_dir;
  } else if (!folder.sstables.empty()) {
    s.keyspace = folder.sstables[0].keyspace;
    s.table = folder.sstables[0].table;
  }
  s.label = s.keyspace.empty() ? BaseName(source) : s.keyspace + "/" + s.table;
  s.folder = std::move(folder);
  return s;
}

ChildSpec TableChild(const TreeContextPtr& tc, const reader::TableFolder& tf) {
  return ChildSpec{
      tf.display_name, true, [tc, tf]() -> Result<std::shared_ptr<Node>> {
        auto model = std::make_shared<TableModel>(tc, SpecFromTableFolder(tf));
        return std::shared_ptr<Node>(MakeTableDir(model, {}));
      }};
}

Result<std::vector<ChildSpec>> TableChildren(const TreeContextPtr& tc,
                                             const std::string& keyspace_dir,
                                             const std::string& keyspace) {
  SSTFS_ASSIGN_OR_RETURN(std::vector<reader::TableFolder> tables,
                         reader::ListTables(keyspace_dir, keyspace));
  std::vector<ChildSpec> c;
  for (const reader::TableFolder& tf : tables) c.push_back(TableChild(tc, tf));
  return c;
}

// Keyspace folders list their tables on first access.
ChildSpec KeyspaceChild(const TreeContextPtr& tc,
                        const reader::KeyspaceFolder& ks) {
  return ChildSpec{ks.name, true, [tc, ks]() -> Result<std::shared_ptr<Node>> {
                     StaticDir::Lister lister = [tc, ks]() {
                       return TableChildren(tc, ks.path, ks.name);
                     };
                     return std::shared_ptr<Node>(std::make_shared<StaticDir>(
                         tc->DirAttr(ks.path), lister));
                   }};
}

// Table folders under `dir` (the root, or a keyspace folder of it).
void CollectTables(const std::shared_ptr<Node>& dir, int depth,
                   std::vector<std::shared_ptr<TableDir>>* out) {
  if (auto table = std::dynamic_pointer_cast<TableDir>(dir)) {
    out->push_back(table);
    return;
  }
  if (depth == 0 || !dir->is_dir()) return;
  Result<std::unique_ptr<DirCursor>> cursor = dir->OpenDir();
  if (!cursor.ok()) return;
  DirEntry e;
  while (true) {
    Result<bool> more = (*cursor)->Next(&e);
    if (!more.ok() || !*more) break;
    if (!e.is_dir || e.name == ".sstablefs") continue;
    Result<std::shared_ptr<Node>> child = dir->Lookup(e.name);
    if (child.ok()) CollectTables(*child, depth - 1, out);
  }
}

void ScheduleIfPresent(MountContext* ctx, const std::shared_ptr<Node>& dir,
                       const char* name) {
  Result<std::shared_ptr<Node>> node = dir->Lookup(name);
  if (node.ok()) ScheduleSizePass(ctx, *node);
}

// After mounting: the size passes of the table-level documents, then of each
// SSTable's data.json, then the tables' verify.txt, so `ls -l` finds them
// ready. Runs on the background
// worker (listing keyspaces and tables is part of the work).
void ScheduleSizePasses(MountContext* ctx, std::shared_ptr<Node> root) {
  ctx->RunInBackground("finding tables for size passes", [ctx, root] {
    std::vector<std::shared_ptr<TableDir>> tables;
    CollectTables(root, 2, &tables);
    for (const auto& t : tables) {
      for (const char* name :
           {"schema.cql", "rows.jsonl", "rows.csv", "partitions.csv"}) {
        ScheduleIfPresent(ctx, t, name);
      }
    }
    for (const auto& t : tables) {
      Result<std::shared_ptr<Node>> sstables = t->Lookup("sstables");
      if (!sstables.ok()) continue;
      for (const auto& slot : t->model()->slots()) {
        Result<std::shared_ptr<Node>> dir = (*sstables)->Lookup(slot->name());
        if (dir.ok()) ScheduleIfPresent(ctx, *dir, "data.json");
      }
    }
    // Last: verification reads every byte again; until it ran, `ls -l` of
    // a table folder waits for its verify.txt.
    for (const auto& t : tables) ScheduleIfPresent(ctx, t, "verify.txt");
  });
}

}  // namespace

std::vector<ChildSpec> RootExtras(const TreeContextPtr& tc) {
  std::vector<ChildSpec> c;
  c.push_back(
      ChildSpec{"README.txt", false, [tc]() -> Result<std::shared_ptr<Node>> {
                  return MakeDocumentFile(tc->mount(), MakeReadmeDocument(tc),
                                          tc->FileAttrOfDir(tc->source()));
                }});
  c.push_back(ChildSpec{
      ".sstablefs", true, [tc]() -> Result<std::shared_ptr<Node>> {
        const NodeAttr file = tc->FileAttrOfDir(tc->source());
        MountContext* ctx = tc->mount();
        std::vector<ChildSpec> files;
        files.push_back(ChildSpec{
            "status.json", false,
            [ctx, file]() -> Result<std::shared_ptr<Node>> {
              return MakeDocumentFile(ctx, MakeStatusJsonDocument(ctx), file,
                                      CachePolicy::kVolatile);
            }});
        files.push_back(
            ChildSpec{"errors.log", false,
                      [ctx, file]() -> Result<std::shared_ptr<Node>> {
                        return MakeDocumentFile(ctx, MakeErrorsLogDocument(ctx),
                                                file, CachePolicy::kVolatile);
                      }});
        return std::shared_ptr<Node>(std::make_shared<StaticDir>(
            tc->DirAttr(tc->source()), std::move(files)));
      }});
  return c;
}

Result<std::shared_ptr<Node>> BuildTree(MountContext* ctx) {
  const std::string source = ctx->options().source;
  SSTFS_ASSIGN_OR_RETURN(reader::SourceKind kind, reader::DetectSource(source));
  auto tc = std::make_shared<TreeContext>(ctx, kind, source);
  std::vector<ChildSpec> children = RootExtras(tc);
  std::shared_ptr<Node> root;
  switch (kind) {
    case reader::SourceKind::kDataDirectory: {
      SSTFS_ASSIGN_OR_RETURN(std::vector<reader::KeyspaceFolder> keyspaces,
                             reader::ListKeyspaces(source));
      for (const reader::KeyspaceFolder& ks : keyspaces) {
        children.push_back(KeyspaceChild(tc, ks));
      }
      root =
          std::make_shared<StaticDir>(tc->DirAttr(source), std::move(children));
      break;
    }
    case reader::SourceKind::kKeyspace: {
      SSTFS_ASSIGN_OR_RETURN(std::vector<ChildSpec> tables,
                             TableChildren(tc, source, BaseName(source)));
      for (ChildSpec& c : tables) children.push_back(std::move(c));
      root =
          std::make_shared<StaticDir>(tc->DirAttr(source), std::move(children));
      break;
    }
    case reader::SourceKind::kTable: {
      SSTFS_ASSIGN_OR_RETURN(
          reader::TableFolder tf,
          reader::ScanTableFolder(source, BaseName(Parent(source))));
      auto model = std::make_shared<TableModel>(tc, SpecFromTableFolder(tf));
      root = MakeTableDir(model, std::move(children));
      break;
    }
    case reader::SourceKind::kSnapshot:
    case reader::SourceKind::kBackups:
    case reader::SourceKind::kSSTableFolder: {
      SSTFS_ASSIGN_OR_RETURN(reader::SSTableFolder folder,
                             reader::ScanSSTableFolder(source));
      auto model = std::make_shared<TableModel>(
          tc, SpecFromFolder(kind, source, std::move(folder)));
      root = MakeTableDir(model, std::move(children));
      break;
    }
    case reader::SourceKind::kComponent:
      return Status::InvalidArgument(
          source +
          ": is a single SSTable file; mount the folder that holds it");
  }
  return root;
}

}  // namespace tree

Result<std::shared_ptr<Node>> BuildRoot(MountContext* ctx) {
  SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<Node> root, tree::BuildTree(ctx));
  tree::ScheduleSizePasses(ctx, root);
  return root;
}

}  // namespace sstablefs::fs
