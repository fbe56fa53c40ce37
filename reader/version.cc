#include "reader/version.h"

namespace sstablefs::reader {
namespace {

// Cassandra compares version strings with String.compareTo; for two
// lower-case letters that is plain lexicographic order.
bool AtLeast(const Version& v, std::string_view first) {
  return v.valid() && std::string_view(v.str()) >= first;
}

bool Major(const Version& v, char major) {
  return v.valid() && v.str()[0] == major;
}

}  // namespace

bool IsSupportedBigVersion(const Version& v) {
  // Exactly the versions Cassandra 3.0 .. 4.1 wrote in the big format.
  return (Major(v, 'm') && v.str()[1] <= 'e') ||
         (Major(v, 'n') && v.str()[1] <= 'b');
}

bool HasCommitLogLowerBound(const Version& v) { return AtLeast(v, "mb"); }
bool HasCommitLogIntervals(const Version& v) { return AtLeast(v, "mc"); }

// BigVersion: version.matches("(m[d-z])|(n[a-z])").
bool HasAccurateMinMax(const Version& v) {
  return (Major(v, 'm') && v.str()[1] >= 'd') || Major(v, 'n');
}

// BigVersion: version.matches("(m[a-z])|(n[a-z])").
bool HasLegacyMinMax(const Version& v) {
  return Major(v, 'm') || Major(v, 'n');
}

// BigVersion: compareTo("nb") >= 0 || matches("(m[e-z])").
bool HasOriginatingHostId(const Version& v) {
  return AtLeast(v, "nb") || (Major(v, 'm') && v.str()[1] >= 'e');
}

bool HasMaxCompressedLength(const Version& v) { return AtLeast(v, "na"); }
bool HasPendingRepair(const Version& v) { return AtLeast(v, "na"); }
bool HasIsTransient(const Version& v) { return AtLeast(v, "na"); }
bool HasMetadataChecksum(const Version& v) { return AtLeast(v, "na"); }
bool HasOldBfFormat(const Version& v) { return v.valid() && !AtLeast(v, "na"); }
bool HasImprovedMinMax(const Version& v) { return AtLeast(v, "nc"); }
bool HasPartitionLevelDeletionsPresenceMarker(const Version& v) {
  return AtLeast(v, "nc");
}
bool HasKeyRange(const Version& v) { return AtLeast(v, "nc"); }
bool HasUIntDeletionTime(const Version& v) { return AtLeast(v, "oa"); }
bool HasTokenSpaceCoverage(const Version& v) { return AtLeast(v, "oa"); }

bool HasTotalColumnsAndRows(const Version& v) { return AtLeast(v, "ma"); }

}  // namespace sstablefs::reader
