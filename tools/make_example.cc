// sstablefs-example OUTDIR: writes the example table (tools/example_writer.h)
// under OUTDIR/example_ks/sensor_readings-<id>/ and prints that folder.
#include <cstdio>
#include <string>

#include "tools/example_writer.h"

int main(int argc, char** argv) {
  if (argc != 2 || std::string(argv[1]) == "-h" ||
      std::string(argv[1]) == "--help") {
    std::fprintf(
        stderr,
        "usage: sstablefs-example OUTDIR\n"
        "Writes a small example Cassandra table (two nb SSTables) to\n"
        "OUTDIR/example_ks/sensor_readings-<id>/ for `sstablefs dump`.\n");
    return 2;
  }
  const std::string outdir = argv[1];
  sstablefs::reader::Status s = sstablefs::tools::WriteExampleTable(outdir);
  if (!s.ok()) {
    std::fprintf(stderr, "sstablefs-example: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("%s\n", sstablefs::tools::ExampleTableDir(outdir).c_str());
  return 0;
}
