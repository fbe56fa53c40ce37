// SSTable format versions and what each one changed, as named predicates
// (scylladb sstables/version.hh style). See reader/FORMAT.md, "Versions".
//
// Version strings are two lower-case letters: ma mb mc md me (Cassandra 3.x),
// na nb (4.x big), nc oa (5.0 big), da (5.0 BTI), and pre-3.0 ka/la. Only the
// m*/n* "big" formats up to nb are readable; everything else is recognised and
// reported as unsupported.
//
// The predicates mirror Cassandra 5.0's BigFormat.BigVersion exactly (same
// names, same version ranges), so a reader can be checked against the Java
// serializers line by line:
//   ma (3.0.0)   rows stored natively (storeRows), bloom filter hash order
//   mb (3.0.7)   commitLogLowerBound in StatsMetadata
//   mc (3.0.8)   commitLogIntervals in StatsMetadata
//   md (3.0.18)  min/max clustering values are accurate (CASSANDRA-14861)
//   me (3.0.25)  originatingHostId in StatsMetadata
//   na (4.0-rc1) uncompressed chunks + maxCompressedLength in CompressionInfo,
//                pendingRepair, isTransient, checksummed Statistics.db,
//                new bloom filter format
//   nb (4.0.0)   originatingHostId (again: na has none)
//   nc (5.0)     improved min/max (covered Slice), partition-level deletion
//                presence marker, first/last key
//   oa (5.0)     unsigned-int deletion times, token space coverage
//
// Thread-safety: Version is a small value type; the predicates are pure.
#ifndef SSTABLEFS_READER_VERSION_H_
#define SSTABLEFS_READER_VERSION_H_

#include <string>
#include <string_view>

namespace sstablefs::reader {

class Version {
 public:
  Version() = default;
  explicit Version(std::string_view v) : v_(v) {}

  const std::string& str() const { return v_; }
  bool valid() const {
    return v_.size() == 2 && v_[0] >= 'a' && v_[0] <= 'z' && v_[1] >= 'a' &&
           v_[1] <= 'z';
  }
  friend auto operator<=>(const Version& a, const Version& b) = default;

 private:
  std::string v_;
};

// Readable by this library (3.0 .. 4.x big format: ma, mb, mc, md, me, na, nb).
bool IsSupportedBigVersion(const Version& v);

// --- BigVersion predicates (Cassandra 5.0 BigFormat.BigVersion) -------------
// mb+: StatsMetadata stores commitLogLowerBound.
bool HasCommitLogLowerBound(const Version& v);
// mc+: StatsMetadata stores commitLogIntervals.
bool HasCommitLogIntervals(const Version& v);
// md, me, n*: the legacy min/max clustering values can be trusted.
bool HasAccurateMinMax(const Version& v);
// m*, n*: StatsMetadata stores legacy min/max clustering value lists.
bool HasLegacyMinMax(const Version& v);
// me (m[e-z]) and nb+: StatsMetadata stores an optional originatingHostId.
// Note that na does NOT.
bool HasOriginatingHostId(const Version& v);
// na+: CompressionInfo.db has maxCompressedLength after the chunk length, and
// chunks that would not shrink are stored uncompressed.
bool HasMaxCompressedLength(const Version& v);
// na+: StatsMetadata stores an optional pendingRepair session id.
bool HasPendingRepair(const Version& v);
// na+: StatsMetadata stores isTransient.
bool HasIsTransient(const Version& v);
// na+: Statistics.db checksums its TOC and each component (CRC32).
bool HasMetadataChecksum(const Version& v);
// Before na: Filter.db uses the old bloom filter hash layout.
bool HasOldBfFormat(const Version& v);
// nc+: StatsMetadata stores clustering types and a covered clustering Slice.
bool HasImprovedMinMax(const Version& v);
// nc+: StatsMetadata stores hasPartitionLevelDeletions.
bool HasPartitionLevelDeletionsPresenceMarker(const Version& v);
// nc+: StatsMetadata stores the first and last partition key.
bool HasKeyRange(const Version& v);
// oa+: deletion times are unsigned 32-bit.
bool HasUIntDeletionTime(const Version& v);
// oa+: StatsMetadata stores tokenSpaceCoverage.
bool HasTokenSpaceCoverage(const Version& v);

// Kept for callers of the first draft: every m*/n* version stores
// totalColumnsSet and totalRows (Cassandra's storeRows, ma+).
bool HasTotalColumnsAndRows(const Version& v);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_VERSION_H_
