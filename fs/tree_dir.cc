// StaticDir: a directory whose entries are listed once and whose children
// are created on first lookup and kept (fs/tree_internal.h).
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fs/tree_internal.h"

namespace sstablefs::fs::tree {

struct StaticDir::Listing {
  std::vector<ChildSpec> children;
  std::unordered_map<std::string, size_t> by_name;
  std::mutex mu;
  std::vector<std::shared_ptr<Node>> nodes;  // created children
};

namespace {

class ListingCursor : public DirCursor {
 public:
  explicit ListingCursor(std::vector<DirEntry> entries)
      : entries_(std::move(entries)) {}
  Result<bool> Next(DirEntry* entry) override {
    if (next_ >= entries_.size()) return false;
    *entry = entries_[next_++];
    return true;
  }

 private:
  std::vector<DirEntry> entries_;
  size_t next_ = 0;
};

}  // namespace

StaticDir::StaticDir(NodeAttr attr, Lister lister)
    : attr_(attr), lister_(std::move(lister)) {
  attr_.is_dir = true;
}

StaticDir::StaticDir(NodeAttr attr, std::vector<ChildSpec> children)
    : attr_(attr) {
  attr_.is_dir = true;
  auto shared = std::make_shared<std::vector<ChildSpec>>(std::move(children));
  lister_ = [shared]() -> Result<std::vector<ChildSpec>> { return *shared; };
}

Result<std::shared_ptr<StaticDir::Listing>> StaticDir::GetListing() {
  std::lock_guard<std::mutex> lock(mu_);
  if (listing_ != nullptr) return listing_;
  // A failed listing (I/O error) is retried next time: it may be transient.
  SSTFS_ASSIGN_OR_RETURN(std::vector<ChildSpec> children, lister_());
  auto listing = std::make_shared<Listing>();
  listing->children = std::move(children);
  listing->nodes.resize(listing->children.size());
  for (size_t i = 0; i < listing->children.size(); ++i) {
    listing->by_name.emplace(listing->children[i].name, i);
  }
  listing_ = listing;
  return listing_;
}

Result<std::shared_ptr<Node>> StaticDir::Lookup(std::string_view name) {
  SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<Listing> listing, GetListing());
  auto it = listing->by_name.find(std::string(name));
  if (it == listing->by_name.end()) return Status::NotFound(std::string(name));
  const size_t i = it->second;
  {
    std::lock_guard<std::mutex> lock(listing->mu);
    if (listing->nodes[i] != nullptr) return listing->nodes[i];
  }
  // Created outside the lock (it may list a folder); the first one stored
  // wins so every lookup sees the same node.
  SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<Node> node,
                         listing->children[i].make());
  std::lock_guard<std::mutex> lock(listing->mu);
  if (listing->nodes[i] == nullptr) listing->nodes[i] = std::move(node);
  return listing->nodes[i];
}

Result<std::unique_ptr<DirCursor>> StaticDir::OpenDir() {
  SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<Listing> listing, GetListing());
  std::vector<DirEntry> entries;
  entries.reserve(listing->children.size());
  for (const ChildSpec& c : listing->children) {
    entries.push_back(DirEntry{c.name, c.is_dir});
  }
  return std::unique_ptr<DirCursor>(
      std::make_unique<ListingCursor>(std::move(entries)));
}

}  // namespace sstablefs::fs::tree
