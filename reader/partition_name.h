// Partition folder names (SPEC §4): a partition key rendered as a file name
// and parsed back, reversibly, so `cd MNT/ks/t/partitions/<key>` works for a
// key that was never listed.
//
// Name: the key's CQL literal text without quotes (AppendCqlLiteral with
// quote_strings=false): text as is, numbers decimal, uuid canonical, blob
// 0x…, timestamp ISO-8601, boolean true/false. Composite keys join their
// components with ':'. Within a component '/', '%', ':', NUL, control bytes
// (0x01-0x1f, 0x7f) and bytes that are not part of valid UTF-8 are written
// %XX (upper-case hex); a leading '.' of the whole name is %2E (so no name
// is "." or ".." or hidden). A name that would exceed 255 bytes becomes
// "~<token>.<16 lower-case hex>" where the hex is a 64-bit hash of the
// serialized key (first 8 bytes of its MD5, big-endian) — a leading '~'
// of a normal name is written %7E so the forms never collide.
//
// Timestamps are written "2024-01-31T13:45:00.000Z" (ISO-8601, UTC, exact
// milliseconds). A component whose literal text would not parse back to the
// same bytes (a NaN with a payload, a non-minimal varint, a frozen
// collection or tuple key, a value that does not fit its type) is written as
// its raw bytes "0x<hex>"; a composite key that does not split into its
// declared components is one raw "0x<hex>" for the whole key. So every key
// of a non-text, non-blob type, and every composite of two or more columns,
// has a name that parses back to it.
//
// For order-preserving partitioners (ByteOrdered, OrderPreserving, Local)
// the token is the key itself, so the long-name form carries instead the
// lower-case hex of the key's first 100 bytes: "~<hex prefix>.<hash>".
//
// Parsing accepts a few spellings that are not the canonical name, for
// users who type a key: lower-case hex in %XX escapes, a literal ':' in a
// single-column key, unescaped leading '.', and any text ParseLiteral takes
// for the type ("2024-01-31 13:45:00+0000", a bare day "2024-01-31" for a
// date). Callers that need the canonical name re-render the parsed key.
//
// Contract: functions are pure and thread-safe. Parsing never trusts the
// name: malformed escapes, wrong component counts or values that do not
// parse as the key type are kInvalidArgument (ENOENT in the mount).
#ifndef SSTABLEFS_READER_PARTITION_NAME_H_
#define SSTABLEFS_READER_PARTITION_NAME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "reader/byte_view.h"
#include "reader/partitioner.h"
#include "reader/status.h"
#include "reader/types.h"

namespace sstablefs::reader {

inline constexpr size_t kMaxFolderNameBytes = 255;

// The folder name of serialized key `key` of a table whose partition key
// type is `key_type` (a CompositeType for multi-column keys, as the header
// stores it). A key that does not decode as its type (corrupt) is named by
// its hex blob form "0x…" per component — still reversible through
// ParsePartitionFolderName only when it decodes, so such keys are reached by
// listing only.
std::string PartitionFolderName(const CqlType& key_type, ByteView key,
                                const Partitioner& partitioner);

// A parsed folder name: either the serialized key, or (for the hashed form
// of a long key) the token text and hash to match candidates against.
struct ParsedPartitionName {
  bool hashed = false;
  std::string key;         // !hashed: the serialized partition key
  std::string token_text;  // hashed: PartitionNameTokenText (TokenToString
                           // for Murmur3/Random, key hex prefix otherwise)
  uint64_t hash = 0;       // hashed: PartitionNameHash of the key
};
Result<ParsedPartitionName> ParsePartitionFolderName(const CqlType& key_type,
                                                     std::string_view name);

// The 64-bit hash used by the long-name form.
uint64_t PartitionNameHash(ByteView key);

// The <token> part of the long-name form of `key` (see above).
std::string PartitionNameTokenText(ByteView key,
                                   const Partitioner& partitioner);

// True when `key` is the partition `parsed` names: the same bytes, or (long
// form) the same token text and hash. Use it to pick the partition among the
// candidates found by token.
bool PartitionNameMatches(const ParsedPartitionName& parsed, ByteView key,
                          const Partitioner& partitioner);

// The human-readable key (CQL literal text, components joined by ':')
// without %-escaping or the long-name form: partitions.csv's key column.
std::string PartitionKeyText(const CqlType& key_type, ByteView key);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_PARTITION_NAME_H_
