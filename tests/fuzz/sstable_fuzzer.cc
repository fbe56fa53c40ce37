// libFuzzer entry point for a whole SSTable: the input is unpacked into
// component files in a private temporary folder, then SSTable::Open, a full
// decode of Data.db (compressed chunks, CRC.db, chunk cache) and
// FindPartition (Filter.db, Summary.db, Index.db) run over them.
//
// Input layout:
//   u8 version index (ma mb mc md me na nb, modulo 7)
//   then records: u8 component index, u24 big-endian length, bytes
//   components: 0 Data.db, 1 Statistics.db, 2 CompressionInfo.db,
//               3 Index.db, 4 Summary.db, 5 Filter.db, 6 CRC.db, 7 TOC.txt
//   (a record whose length runs past the end takes the rest).
// scripts/fuzz-smoke.sh packs corpus SSTables this way as seeds.
//
// Built only with -DSSTFS_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ (ASan+UBSan).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "reader/byte_view.h"
#include "reader/chunk_cache.h"
#include "reader/data_file.h"
#include "reader/sstable.h"
#include "reader/unfiltered.h"

namespace {

namespace rd = ::sstablefs::reader;
namespace fs = std::filesystem;

const char* const kVersions[] = {"ma", "mb", "mc", "md", "me", "na", "nb"};
const char* const kComponents[] = {
    "Data.db",  "Statistics.db", "CompressionInfo.db",
    "Index.db", "Summary.db",    "Filter.db",
    "CRC.db",   "TOC.txt"};

fs::path& Dir() {
  static fs::path dir;
  return dir;
}

void RemoveDir() {
  std::error_code ec;
  fs::remove_all(Dir(), ec);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Dir() = fs::temp_directory_path() /
          ("sstfs-sstable-fuzzer-" + std::to_string(::getpid()));
  fs::create_directories(Dir());
  std::atexit(RemoveDir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string prefix = std::string(kVersions[data[0] % 7]) + "-1-big-";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(Dir(), ec)) {
    fs::remove(e.path(), ec);
  }
  size_t pos = 1;
  bool have_data = false;
  while (pos + 4 <= size) {
    const uint8_t comp = data[pos] % 8;
    size_t len = (size_t{data[pos + 1]} << 16) | (size_t{data[pos + 2]} << 8) |
                 data[pos + 3];
    pos += 4;
    if (len > size - pos) len = size - pos;
    std::ofstream out(Dir() / (prefix + kComponents[comp]),
                      std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + pos),
              static_cast<std::streamsize>(len));
    have_data = have_data || comp == 0;
    pos += len;
  }
  if (!have_data) return 0;

  // A fresh cache per input: cached chunks of an earlier input must not
  // stand in for this one's bytes.
  rd::ChunkCache cache(1 << 20);
  auto t = rd::SSTable::Open((Dir() / (prefix + "Data.db")).string(), &cache);
  if (!t.ok()) return 0;
  auto input = (*t)->OpenData();
  if (!input.ok()) return 0;
  rd::PartitionIterator it(input->get(), &(*t)->columns(),
                           (*t)->descriptor().version);
  std::vector<std::string> keys;
  size_t items = 0;
  for (it.SeekToFirst(); it.Valid() && items < 100000; it.NextPartition()) {
    if (keys.size() < 64) keys.push_back(it.partition().key.ToString());
    for (it.StartRows(); it.RowValid() && items < 100000; it.NextRow()) {
      ++items;
    }
  }
  for (const std::string& k : keys) {
    auto found = (*t)->FindPartition(rd::ByteView(k));
    if (found.ok() && found->has_value()) {
      it.Seek(**found);  // may fail cleanly on a damaged index
    }
  }
  return 0;
}
