// Generated files (rows.jsonl, rows.csv, partitions.csv, data.json,
// metadata.json, schema.cql, …) as Documents: content produced by a
// renderer that can restart at checkpoints, so that
//  - the exact size is known after one counting pass (kept in memory and in
//    cache_dir by SizeCache, keyed by Identity()),
//  - a read at any offset restarts from the nearest checkpoint at or before
//    it instead of from the start (tail, less +G, random reads),
//  - a sequential reader is served by one streaming render per open file
//    (a producer thread filling a bounded buffer), so memory stays bounded
//    however large the file.
// fs/tree_*.cc define Documents; fs/document_file.cc turns one into a Node.
#ifndef SSTABLEFS_FS_DOCUMENT_H_
#define SSTABLEFS_FS_DOCUMENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fs/mount_context.h"
#include "fs/vtree.h"
#include "reader/output_sink.h"

namespace sstablefs::fs {

// Where a Document's renderer writes. Append() may fail with a status the
// renderer must return as is (it is how a reader cancels a render).
class DocumentOutput : public reader::OutputSink {
 public:
  // Absolute offset in the document of the next byte appended.
  virtual uint64_t offset() const = 0;
  // True when checkpoints are being collected (the size pass). Renderers
  // then call Checkpoint() at restart-safe points about every
  // kCheckpointInterval bytes — after flushing their own buffers, so that
  // offset() is exactly where the restarted render's first byte goes.
  virtual bool wants_checkpoints() const = 0;
  // `state` is opaque to the caller: Render(&state) must produce exactly the
  // bytes of the document from offset() on.
  virtual void Checkpoint(std::string state) = 0;
  // Where this render will be cut: Append() fails once offset() reaches it
  // (bytes beyond are dropped). Renderers that buffer should flush when
  // offset() plus what they hold reaches limit(), so that rendering one
  // span does not render a whole buffer past it.
  virtual uint64_t limit() const { return UINT64_MAX; }
};

// Checkpoints are this far apart (at least), so a read at any offset
// renders at most about this much before its first byte.
inline constexpr uint64_t kCheckpointInterval = 256 << 10;

class Document {
 public:
  virtual ~Document() = default;
  // What determines the bytes: document kind, every input file's identity
  // (path, size, mtime in ns), options that change output (now, schema
  // text hash). Two documents with equal identity render equal bytes.
  virtual std::string Identity() const = 0;
  // Renders the whole document (start == nullptr) or from a checkpoint
  // state this document produced earlier.
  virtual Status Render(const std::string* start,
                        DocumentOutput* out) const = 0;
  // Whether the size pass is worth persisting in cache_dir (big inputs).
  virtual bool persist_size() const { return true; }

  // For a size pass on several cores: restart states (as Checkpoint()
  // takes) that cut the document into at most `parts` pieces; piece 0 runs
  // from the start to states[0], piece i from states[i - 1] to states[i].
  // Empty (the default) when the document cannot be cut.
  virtual std::vector<std::string> SizeSplits(size_t parts) const { return {}; }
  // Render(start, out), stopping before the restart point `stop` (a state
  // from SizeSplits()); nullptr renders to the end.
  virtual Status RenderRange(const std::string* start, const std::string* stop,
                             DocumentOutput* out) const {
    if (stop != nullptr) return Status::InvalidArgument("no splits");
    return Render(start, out);
  }
};

// A file node serving `doc`. `attr` gives mode/uid/gid/mtime (its size is
// ignored: GetAttr() computes the exact size once, from SizeCache or a
// counting pass, then remembers it). kVolatile documents (status.json,
// errors.log) are rendered fresh at open and served with direct_io.
// A render error while reading (kCorruption, kIoError) fails that read with
// EIO and is reported to ctx->errors().
std::shared_ptr<Node> MakeDocumentFile(
    MountContext* ctx, std::shared_ptr<const Document> doc,
    const NodeAttr& attr, CachePolicy policy = CachePolicy::kImmutable);

// Schedules the size pass of `file` (a node from MakeDocumentFile) on the
// background worker, so `ls -l` later finds it ready.
void ScheduleSizePass(MountContext* ctx, const std::shared_ptr<Node>& file);

}  // namespace sstablefs::fs

#endif  // SSTABLEFS_FS_DOCUMENT_H_
