// InodeTable: the FUSE inode numbers of the virtual tree's nodes.
//
// How inode numbers are made and how long they live:
//  - The root is inode 1 (FUSE_ROOT_ID) and lives as long as the table.
//  - Every other node gets the next number of a 64-bit counter the first
//    time the kernel looks it up by (parent inode, name). Numbers are never
//    reused within a mount, so the FUSE generation is always 0 and a stale
//    number can never name a different node.
//  - The kernel's lookup count is honoured: each successful Lookup() adds
//    one reference, Forget(ino, n) removes n. While the count is above zero
//    the number, its node (std::shared_ptr) and the (parent, name) entry are
//    stable: looking the same name up again returns the same number and the
//    same node, even if the tree would build a fresh node object. When the
//    count drops to zero the entry is freed, and a later lookup of the name
//    assigns a new number.
//  - Directory listings do not create entries (plain readdir, no
//    readdirplus): a listed name that was never looked up reports
//    kUnknownIno, so listing millions of partitions keeps memory flat.
//
// Thread-safety: every member function is thread-safe. Node::Lookup runs
// without the table's lock, so a slow lookup does not block others.
#ifndef SSTABLEFS_FS_INODE_TABLE_H_
#define SSTABLEFS_FS_INODE_TABLE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "fs/vtree.h"

namespace sstablefs::fs {

using Ino = uint64_t;

class InodeTable {
 public:
  static constexpr Ino kRootIno = 1;
  // d_ino reported for listed names not (yet) looked up.
  static constexpr Ino kUnknownIno = 0xffffffff;

  explicit InodeTable(std::shared_ptr<Node> root);

  // The node of `ino`, or nullptr if the kernel holds no reference to it.
  std::shared_ptr<Node> Get(Ino ino) const;

  // Resolves `name` in directory `parent` and adds one lookup reference.
  // kNotFound when `parent` is unknown or not a directory (ENOTDIR is
  // reported by the caller, who checks is_dir()), or the name is absent.
  Result<std::pair<Ino, std::shared_ptr<Node>>> Lookup(Ino parent,
                                                       std::string_view name);

  // Drops `n` lookup references of `ino`; frees the entry at zero. Unknown
  // numbers and the root are ignored.
  void Forget(Ino ino, uint64_t n);

  // The number of (parent, name) if the kernel holds it, else kUnknownIno.
  Ino Peek(Ino parent, std::string_view name) const;

  size_t size() const;  // live entries, root included

 private:
  struct Entry {
    std::shared_ptr<Node> node;
    Ino parent = 0;
    std::string name;
    uint64_t lookups = 0;
  };
  using Key = std::pair<Ino, std::string>;
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<std::string>()(k.second) * 31 + k.first;
    }
  };

  mutable std::mutex mu_;
  std::unordered_map<Ino, Entry> entries_;
  std::unordered_map<Key, Ino, KeyHash> by_name_;
  Ino next_ = kRootIno + 1;
};

}  // namespace sstablefs::fs

#endif  // SSTABLEFS_FS_INODE_TABLE_H_
