#include "fs/inode_table.h"

namespace sstablefs::fs {

InodeTable::InodeTable(std::shared_ptr<Node> root) {
  Entry e;
  e.node = std::move(root);
  e.lookups = 1;  // never forgotten
  entries_.emplace(kRootIno, std::move(e));
}

std::shared_ptr<Node> InodeTable::Get(Ino ino) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(ino);
  return it == entries_.end() ? nullptr : it->second.node;
}

Ino InodeTable::Peek(Ino parent, std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_name_.find(Key(parent, std::string(name)));
  return it == by_name_.end() ? kUnknownIno : it->second;
}

Result<std::pair<Ino, std::shared_ptr<Node>>> InodeTable::Lookup(
    Ino parent, std::string_view name) {
  Key key(parent, std::string(name));
  std::shared_ptr<Node> dir;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto known = by_name_.find(key);
    if (known != by_name_.end()) {
      Entry& e = entries_.at(known->second);
      ++e.lookups;
      return std::make_pair(known->second, e.node);
    }
    auto it = entries_.find(parent);
    if (it == entries_.end()) {
      return Status::NotFound("unknown inode " + std::to_string(parent));
    }
    dir = it->second.node;
  }
  if (!dir->is_dir()) return Status::NotFound(key.second);
  // The tree's lookup may be slow (an index search): run it unlocked.
  SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<Node> node, dir->Lookup(name));
  if (node == nullptr) return Status::NotFound(key.second);

  std::lock_guard<std::mutex> lock(mu_);
  auto known = by_name_.find(key);
  if (known != by_name_.end()) {  // another thread got there first
    Entry& e = entries_.at(known->second);
    ++e.lookups;
    return std::make_pair(known->second, e.node);
  }
  const Ino ino = next_++;
  Entry e;
  e.node = node;
  e.parent = parent;
  e.name = key.second;
  e.lookups = 1;
  entries_.emplace(ino, std::move(e));
  by_name_.emplace(std::move(key), ino);
  return std::make_pair(ino, std::move(node));
}

void InodeTable::Forget(Ino ino, uint64_t n) {
  std::shared_ptr<Node> dropped;  // destroyed after the lock is released
  std::lock_guard<std::mutex> lock(mu_);
  if (ino == kRootIno) return;
  auto it = entries_.find(ino);
  if (it == entries_.end()) return;
  Entry& e = it->second;
  if (e.lookups > n) {
    e.lookups -= n;
    return;
  }
  by_name_.erase(Key(e.parent, e.name));
  dropped = std::move(e.node);
  entries_.erase(it);
}

size_t InodeTable::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace sstablefs::fs
