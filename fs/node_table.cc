// The table layout folder and its sstables/ subtree (SPEC §2).
#include <dirent.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "fs/docs_tree.h"
#include "fs/tree_internal.h"
#include "reader/descriptor.h"
#include "reader/file_util.h"

namespace sstablefs::fs::tree {
namespace {

using DocFactory = std::function<std::shared_ptr<const Document>()>;

// A generated file of the table, created on first lookup.
ChildSpec TableFile(std::string name, const std::shared_ptr<TableModel>& model,
                    DocFactory make_doc) {
  return ChildSpec{std::move(name), false,
                   [model, make_doc]() -> Result<std::shared_ptr<Node>> {
                     return MakeDocumentFile(model->tc()->mount(), make_doc(),
                                             model->FileAttr());
                   }};
}

// Component files of `d` in its folder, sorted (the files/ listing).
Result<std::vector<std::string>> ComponentFiles(const reader::Descriptor& d) {
  SSTFS_ASSIGN_OR_RETURN(std::vector<reader::FolderEntry> entries,
                         reader::ListFolderEntries(d.directory));
  const std::string prefix = d.prefix() + "-";
  std::vector<std::string> names;
  for (reader::FolderEntry& e : entries) {
    std::string& name = e.name;
    if (name.size() > prefix.size() &&
        name.compare(0, prefix.size(), prefix) == 0 &&
        reader::ComponentOf(name) == name.substr(prefix.size())) {
      names.push_back(std::move(name));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::shared_ptr<TableModel> SnapshotModel(
    const std::shared_ptr<TableModel>& live,
    const reader::TableFolder::Snapshot& snap) {
  const TableSpec& l = live->spec();
  TableSpec s;
  s.keyspace = l.keyspace;
  s.table = l.table;
  s.id = l.id;
  s.kind = "snapshot";
  s.label = l.label + " snapshot " + snap.name;
  s.folder = snap.folder;
  if (!snap.schema_cql_path.empty())
    s.schema_cql.push_back(snap.schema_cql_path);
  for (const std::string& p : l.schema_cql) {
    if (p != snap.schema_cql_path) s.schema_cql.push_back(p);
  }
  s.table_folder = l.table_folder;
  return std::make_shared<TableModel>(live->tc_ptr(), std::move(s));
}

std::shared_ptr<TableModel> BackupsModel(
    const std::shared_ptr<TableModel>& live) {
  const TableSpec& l = live->spec();
  TableSpec s;
  s.keyspace = l.keyspace;
  s.table = l.table;
  s.id = l.id;
  s.kind = "backups";
  s.label = l.label + " backups";
  s.folder = *l.backups;
  s.schema_cql = l.schema_cql;
  s.table_folder = l.table_folder;
  return std::make_shared<TableModel>(live->tc_ptr(), std::move(s));
}

}  // namespace

std::shared_ptr<TableDir> MakeTableDir(std::shared_ptr<TableModel> model,
                                       std::vector<ChildSpec> extra) {
  std::vector<ChildSpec> c = std::move(extra);
  c.push_back(TableFile("schema.cql", model,
                        [model] { return MakeSchemaCqlDocument(model); }));
  c.push_back(TableFile("rows.jsonl", model, [model] {
    return MakeRowsDocument(model, reader::RowFormat::kJsonLines);
  }));
  c.push_back(TableFile("rows.csv", model, [model] {
    return MakeRowsDocument(model, reader::RowFormat::kCsv);
  }));
  c.push_back(TableFile("partitions.csv", model,
                        [model] { return MakePartitionsCsvDocument(model); }));
  c.push_back(TableFile("verify.txt", model,
                        [model] { return MakeTableVerifyDocument(model); }));
  c.push_back(
      ChildSpec{"partitions", true, [model]() -> Result<std::shared_ptr<Node>> {
                  return MakePartitionsDir(model);
                }});
  c.push_back(
      ChildSpec{"sstables", true, [model]() -> Result<std::shared_ptr<Node>> {
                  return MakeSSTablesDir(model);
                }});
  const TableSpec& spec = model->spec();
  if (!spec.snapshots.empty()) {
    c.push_back(ChildSpec{
        "snapshots", true, [model]() -> Result<std::shared_ptr<Node>> {
          std::vector<ChildSpec> snaps;
          for (const reader::TableFolder::Snapshot& s :
               model->spec().snapshots) {
            snaps.push_back(ChildSpec{
                s.name, true, [model, s]() -> Result<std::shared_ptr<Node>> {
                  std::shared_ptr<TableModel> m = SnapshotModel(model, s);
                  return std::shared_ptr<Node>(MakeTableDir(m, {}));
                }});
          }
          return std::shared_ptr<Node>(std::make_shared<StaticDir>(
              model->tc()->DirAttr(model->spec().folder.path + "/snapshots"),
              std::move(snaps)));
        }});
  }
  if (spec.backups) {
    c.push_back(ChildSpec{
        "backups", true, [model]() -> Result<std::shared_ptr<Node>> {
          return std::shared_ptr<Node>(MakeTableDir(BackupsModel(model), {}));
        }});
  }
  return std::make_shared<TableDir>(model->DirAttr(), model, std::move(c));
}

std::shared_ptr<Node> MakeSSTablesDir(
    const std::shared_ptr<TableModel>& model) {
  const TreeContextPtr& tc = model->tc_ptr();
  const NodeAttr dir_attr = model->DirAttr();
  std::vector<ChildSpec> c;
  for (const std::shared_ptr<SSTableSlot>& slot : model->slots()) {
    c.push_back(
        ChildSpec{slot->name(), true,
                  [tc, slot, dir_attr]() -> Result<std::shared_ptr<Node>> {
                    return MakeSSTableDir(tc, slot, dir_attr);
                  }});
  }
  for (const reader::TableFolder::Index& index : model->spec().indexes) {
    c.push_back(ChildSpec{
        index.name, true, [tc, index]() -> Result<std::shared_ptr<Node>> {
          const NodeAttr attr = tc->DirAttr(index.folder.path);
          std::vector<ChildSpec> sstables;
          for (const reader::Descriptor& d : index.folder.sstables) {
            auto slot = std::make_shared<SSTableSlot>(tc, d);
            sstables.push_back(
                ChildSpec{slot->name(), true,
                          [tc, slot, attr]() -> Result<std::shared_ptr<Node>> {
                            return MakeSSTableDir(tc, slot, attr);
                          }});
          }
          return std::shared_ptr<Node>(
              std::make_shared<StaticDir>(attr, std::move(sstables)));
        }});
  }
  return std::make_shared<StaticDir>(dir_attr, std::move(c));
}

std::shared_ptr<Node> MakeSSTableDir(const TreeContextPtr& tc,
                                     std::shared_ptr<SSTableSlot> slot,
                                     NodeAttr dir_attr) {
  auto file = [tc, slot](std::string name, DocFactory make_doc) {
    return ChildSpec{std::move(name), false,
                     [tc, slot, make_doc]() -> Result<std::shared_ptr<Node>> {
                       return MakeDocumentFile(tc->mount(), make_doc(),
                                               slot->FileAttr());
                     }};
  };
  std::vector<ChildSpec> c;
  c.push_back(
      file("data.json", [tc, slot] { return MakeDataJsonDocument(tc, slot); }));
  c.push_back(
      file("metadata.json", [slot] { return MakeMetadataJsonDocument(slot); }));
  c.push_back(
      file("verify.txt", [slot] { return MakeSSTableVerifyDocument(slot); }));
  c.push_back(ChildSpec{
      "files", true, [tc, slot, dir_attr]() -> Result<std::shared_ptr<Node>> {
        StaticDir::Lister lister = [tc,
                                    slot]() -> Result<std::vector<ChildSpec>> {
          SSTFS_ASSIGN_OR_RETURN(std::vector<std::string> names,
                                 ComponentFiles(slot->descriptor()));
          std::vector<ChildSpec> files;
          for (std::string& n : names) {
            std::string path = slot->descriptor().directory + "/" + n;
            files.push_back(
                ChildSpec{std::move(n), false,
                          [tc, path]() -> Result<std::shared_ptr<Node>> {
                            return MakePassthroughFile(path, tc);
                          }});
          }
          return files;
        };
        return std::shared_ptr<Node>(
            std::make_shared<StaticDir>(dir_attr, std::move(lister)));
      }});
  return std::make_shared<StaticDir>(dir_attr, std::move(c));
}

}  // namespace sstablefs::fs::tree
