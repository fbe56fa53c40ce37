// partitions/: a folder per partition key (SPEC §2, §4). The listing streams
// keys from the partition indexes (MergedKeyLister), so memory does not grow
// with the number of partitions; a lookup parses the folder name back into
// the key and asks each SSTable's index whether it holds it — never a scan,
// except for the rare hashed long names (see Lookup).
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fs/docs_tree.h"
#include "fs/tree_internal.h"
#include "reader/partition_name.h"
#include "reader/table.h"

namespace sstablefs::fs::tree {
namespace {

// Hashed names seen by listings, so that `ls` then `cd` of a long key needs
// no scan. Bounded: beyond it a lookup falls back to the index scan.
constexpr size_t kMaxRememberedLongNames = 65536;
// Names listed most recently: the kernel looks up every entry right after
// readdir (ls -l, find), and a listed key is known to exist, so these skip
// the per-SSTable index lookups. A ring: the oldest name is forgotten.
constexpr size_t kRecentNames = 4096;

class PartitionsDir;

class KeyCursor : public DirCursor {
 public:
  KeyCursor(std::shared_ptr<const reader::Table> table,
            reader::CqlTypePtr key_type, std::shared_ptr<PartitionsDir> dir)
      : table_(table),
        key_type_(std::move(key_type)),
        lister_(std::move(table)),
        dir_(std::move(dir)) {}

  Result<bool> Next(DirEntry* entry) override;

 private:
  std::shared_ptr<const reader::Table> table_;
  reader::CqlTypePtr key_type_;
  reader::MergedKeyLister lister_;
  std::shared_ptr<PartitionsDir> dir_;
  bool started_ = false;
  std::string key_;
};

class EmptyCursor : public DirCursor {
 public:
  Result<bool> Next(DirEntry*) override { return false; }
};

class PartitionsDir : public Node,
                      public std::enable_shared_from_this<PartitionsDir> {
 public:
  explicit PartitionsDir(std::shared_ptr<TableModel> model)
      : model_(std::move(model)) {}

  bool is_dir() const override { return true; }
  Result<NodeAttr> GetAttr() override { return model_->DirAttr(); }

  Result<std::unique_ptr<DirCursor>> OpenDir() override {
    SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<const reader::Table> table,
                           model_->GetTable());
    if (table->sstables().empty()) {
      return std::unique_ptr<DirCursor>(std::make_unique<EmptyCursor>());
    }
    SSTFS_ASSIGN_OR_RETURN(reader::CqlTypePtr key_type, model_->KeyType());
    return std::unique_ptr<DirCursor>(
        std::make_unique<KeyCursor>(table, key_type, shared_from_this()));
  }

  Result<std::shared_ptr<Node>> Lookup(std::string_view name) override;

  void RememberLongName(const std::string& name, const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    if (long_names_.size() < kMaxRememberedLongNames) {
      long_names_.emplace(name, key);
    }
  }

  void RememberListed(const std::string& name, const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    if (recent_.count(name)) return;
    if (recent_order_.size() >= kRecentNames) {
      recent_.erase(recent_order_.front());
      recent_order_.pop_front();
    }
    recent_.emplace(name, key);
    recent_order_.push_back(name);
  }

 private:
  // The serialized key named `name`, NotFound when no SSTable holds it.
  Result<std::string> FindKey(std::string_view name);
  Result<std::string> FindLongName(const reader::ParsedPartitionName& parsed,
                                   std::string_view name);
  std::shared_ptr<Node> PartitionFolder(std::string key);

  std::shared_ptr<TableModel> model_;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> long_names_;
  std::unordered_map<std::string, std::string> recent_;
  std::deque<std::string> recent_order_;
};

Result<bool> KeyCursor::Next(DirEntry* entry) {
  if (!started_) {
    SSTFS_RETURN_IF_ERROR(lister_.SeekToFirst());
    started_ = true;
  }
  SSTFS_ASSIGN_OR_RETURN(bool more, lister_.Next(&key_));
  if (!more) return false;
  entry->name = reader::PartitionFolderName(
      *key_type_, reader::ByteView(std::string_view(key_)),
      table_->partitioner());
  entry->is_dir = true;
  if (!entry->name.empty() && entry->name[0] == '~') {
    dir_->RememberLongName(entry->name, key_);
  }
  dir_->RememberListed(entry->name, key_);
  return true;
}

Result<std::string> PartitionsDir::FindLongName(
    const reader::ParsedPartitionName& parsed, std::string_view name) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = long_names_.find(std::string(name));
    if (it != long_names_.end()) return it->second;
  }
  // A name over 255 bytes cannot carry its key, only token and hash, and the
  // indexes are searched by key: walk the keys (Index.db only, no Data.db),
  // comparing token text first. Only names never listed get here.
  SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<const reader::Table> table,
                         model_->GetTable());
  reader::MergedKeyLister lister(table);
  SSTFS_RETURN_IF_ERROR(lister.SeekToFirst());
  std::string key;
  while (true) {
    SSTFS_ASSIGN_OR_RETURN(bool more, lister.Next(&key));
    if (!more) break;
    if (reader::PartitionNameMatches(parsed,
                                     reader::ByteView(std::string_view(key)),
                                     table->partitioner())) {
      RememberLongName(std::string(name), key);
      return key;
    }
  }
  return Status::NotFound(std::string(name));
}

Result<std::string> PartitionsDir::FindKey(std::string_view name) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = recent_.find(std::string(name));
    if (it != recent_.end()) return it->second;
  }
  SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<const reader::Table> table,
                         model_->GetTable());
  if (table->sstables().empty()) return Status::NotFound(std::string(name));
  SSTFS_ASSIGN_OR_RETURN(reader::CqlTypePtr key_type, model_->KeyType());
  Result<reader::ParsedPartitionName> parsed =
      reader::ParsePartitionFolderName(*key_type, name);
  if (!parsed.ok()) return Status::NotFound(parsed.status().message());
  if (parsed->hashed) return FindLongName(*parsed, name);
  // Only the canonical spelling resolves ("01" is not the folder of int 1),
  // so a partition has exactly one folder.
  const reader::ByteView key(std::string_view(parsed->key));
  if (reader::PartitionFolderName(*key_type, key, table->partitioner()) !=
      name) {
    return Status::NotFound(std::string(name) + ": not the canonical name");
  }
  for (const std::shared_ptr<reader::SSTable>& s : table->sstables()) {
    SSTFS_ASSIGN_OR_RETURN(std::optional<uint64_t> found,
                           s->FindPartition(key));
    if (found.has_value()) return std::move(parsed->key);
  }
  return Status::NotFound(std::string(name));
}

std::shared_ptr<Node> PartitionsDir::PartitionFolder(std::string key) {
  MountContext* ctx = model_->tc()->mount();
  const NodeAttr file_attr = model_->FileAttr();
  std::shared_ptr<TableModel> model = model_;
  std::vector<ChildSpec> c;
  c.push_back(ChildSpec{
      "rows.jsonl", false, [=]() -> Result<std::shared_ptr<Node>> {
        return MakeDocumentFile(ctx,
                                MakePartitionRowsDocument(
                                    model, key, reader::RowFormat::kJsonLines),
                                file_attr);
      }});
  c.push_back(ChildSpec{
      "rows.csv", false, [=]() -> Result<std::shared_ptr<Node>> {
        return MakeDocumentFile(
            ctx, MakePartitionRowsDocument(model, key, reader::RowFormat::kCsv),
            file_attr);
      }});
  c.push_back(
      ChildSpec{"history.jsonl", false, [=]() -> Result<std::shared_ptr<Node>> {
                  return MakeDocumentFile(
                      ctx, MakePartitionHistoryDocument(model, key), file_attr);
                }});
  return std::make_shared<StaticDir>(model_->DirAttr(), std::move(c));
}

Result<std::shared_ptr<Node>> PartitionsDir::Lookup(std::string_view name) {
  SSTFS_ASSIGN_OR_RETURN(std::string key, FindKey(name));
  return PartitionFolder(std::move(key));
}

}  // namespace

std::shared_ptr<Node> MakePartitionsDir(std::shared_ptr<TableModel> model) {
  return std::make_shared<PartitionsDir>(std::move(model));
}

}  // namespace sstablefs::fs::tree
