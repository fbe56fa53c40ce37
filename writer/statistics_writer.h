// Internal to the writer: the components of Statistics.db
// (MetadataSerializer with ValidationMetadata, CompactionMetadata,
// StatsMetadata and SerializationHeader.Component), for the versions the
// writer writes. See reader/FORMAT.md, "Statistics.db".
//
// Contract: pure functions of their arguments; deterministic.
#ifndef SSTABLEFS_WRITER_STATISTICS_WRITER_H_
#define SSTABLEFS_WRITER_STATISTICS_WRITER_H_

#include <string>
#include <string_view>
#include <vector>

#include "reader/columns.h"
#include "reader/status.h"
#include "reader/version.h"
#include "writer/data_encoder.h"
#include "writer/sstable_writer.h"

namespace sstablefs::writer {

// ValidationMetadata: partitioner class name, bloom filter fp chance.
std::string ValidationComponent(std::string_view partitioner_class,
                                double bloom_fp_chance);

// CompactionMetadata: i32 length + HyperLogLogPlus bytes.
reader::Result<std::string> CompactionComponent(const StatsCollector& s);

// StatsMetadata.serializer for `version` (ma..nb). `compression_ratio` is
// -1 for an uncompressed Data.db (MetadataCollector.NO_COMPRESSION_RATIO).
reader::Result<std::string> StatsComponent(const StatsCollector& s,
                                           double compression_ratio,
                                           const reader::Version& version);

// SerializationHeader.Component serializer.
std::string HeaderComponent(const reader::EncodingStats& stats,
                            const WriterSchema& schema);

// MetadataSerializer.serialize: the TOC (type, offset) of the four
// components in type order, then the components; na+ adds a CRC32 after the
// count, after the TOC and after each component.
std::string StatisticsFile(const std::vector<std::string>& components,
                           const reader::Version& version);

}  // namespace sstablefs::writer

#endif  // SSTABLEFS_WRITER_STATISTICS_WRITER_H_
