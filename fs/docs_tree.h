// The generated files of the mount (SPEC §2) as Documents (fs/document.h).
// Large ones (rows.jsonl, rows.csv, partitions.csv, data.json) restart at
// checkpoints: rows/partitions at a serialized reader::TableCursor, data.json
// at a reader::DumpResumePoint, each taken about every kCheckpointInterval
// output bytes after the renderer flushed its buffers. Small ones render in
// one piece and take no checkpoints.
//
// Identities name the document kind and every input file (path, size, mtime),
// the schema files, and `now` when TTL'd data makes the output depend on it.
//
// Thread-safety: Documents are immutable (lazily computed values inside are
// synchronised); Render may run concurrently on one Document.
#ifndef SSTABLEFS_FS_DOCS_TREE_H_
#define SSTABLEFS_FS_DOCS_TREE_H_

#include <functional>
#include <memory>
#include <string>

#include "fs/document.h"
#include "fs/tree_internal.h"
#include "reader/row_renderer.h"
#include "reader/table.h"

namespace sstablefs::fs::tree {

// A document rendered in one piece by `produce` (called at every render;
// cache inside it when that is expensive). `identity` is called when the
// size cache asks (it may stat or open inputs).
std::shared_ptr<const Document> MakeTextDocument(
    std::function<std::string()> identity,
    std::function<Result<std::string>()> produce, bool persist_size = false);

// Table level.
std::shared_ptr<const Document> MakeRowsDocument(
    std::shared_ptr<TableModel> model, reader::RowFormat format);
std::shared_ptr<const Document> MakePartitionsCsvDocument(
    std::shared_ptr<TableModel> model);
std::shared_ptr<const Document> MakeSchemaCqlDocument(
    std::shared_ptr<TableModel> model);
std::shared_ptr<const Document> MakeTableVerifyDocument(
    std::shared_ptr<TableModel> model);

// Partition level (`key` serialized).
std::shared_ptr<const Document> MakePartitionRowsDocument(
    std::shared_ptr<TableModel> model, std::string key,
    reader::RowFormat format);
std::shared_ptr<const Document> MakePartitionHistoryDocument(
    std::shared_ptr<TableModel> model, std::string key);

// SSTable level.
std::shared_ptr<const Document> MakeDataJsonDocument(
    TreeContextPtr tc, std::shared_ptr<SSTableSlot> slot);
std::shared_ptr<const Document> MakeMetadataJsonDocument(
    std::shared_ptr<SSTableSlot> slot);
std::shared_ptr<const Document> MakeSSTableVerifyDocument(
    std::shared_ptr<SSTableSlot> slot);

// Root level.
std::shared_ptr<const Document> MakeReadmeDocument(TreeContextPtr tc);
std::shared_ptr<const Document> MakeStatusJsonDocument(MountContext* ctx);
std::shared_ptr<const Document> MakeErrorsLogDocument(MountContext* ctx);

// Checkpoint states (exposed for tests). Decode fails with kInvalidArgument
// on a state that is not `sstables` positions.
std::string EncodeTableCursor(const reader::TableCursor& cursor);
Result<reader::TableCursor> DecodeTableCursor(const std::string& state,
                                              size_t sstables);

}  // namespace sstablefs::fs::tree

#endif  // SSTABLEFS_FS_DOCS_TREE_H_
