// SSTable format versions and what each one changed, as named predicates
// (scylladb sstables/version.hh style). See reader/FORMAT.md, "Versions".
//
// Version strings are two lower-case letters: ma mb mc md me (Cassandra 3.x),
// na nb (4.x/5.0 big), oa (5.0 big), da (BTI), and pre-3.0 ka/la. Only the
// m*/n* "big" formats are readable; everything else is recognised and
// reported as unsupported.
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

// Readable by this library (3.0 .. 5.0 big format, ma..nb).
bool IsSupportedBigVersion(const Version& v);
// na+: CompressionInfo.db has maxCompressedLength after the chunk length, and
// chunks that would not shrink are stored uncompressed.
bool HasMaxCompressedLength(const Version& v);
// na+: Statistics.db checksums its TOC and components.
bool HasMetadataChecksum(const Version& v);
// mb+: stats carry totalColumnsSet and totalRows.
bool HasTotalColumnsAndRows(const Version& v);
// mc+: stats carry pendingRepair.
bool HasPendingRepair(const Version& v);
// na+: stats carry isTransient.
bool HasIsTransient(const Version& v);
// nb+: stats carry originatingHostId (optional).
bool HasOriginatingHostId(const Version& v);
// md+: improved min/max clustering (ClusteringBound-based in nb?) - see FORMAT.md.
bool HasAccurateMinMax(const Version& v);
// me+ / nb+: commit log intervals etc.; see the .cc for the exact list.
// ma, mb: commitLogLowerBound present? see FORMAT.md.

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_VERSION_H_
