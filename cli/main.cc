// The `sstablefs` executable: dispatches to the subcommands in cli/.
// Anything that is not a command word or --help/--version is the mount
// form (`sstablefs [-f] [-o OPTS] SOURCE MOUNTPOINT`, as mount(8) runs it).
#include <cstdio>
#include <cstring>

#include "cli/commands.h"

namespace {

constexpr char kUsage[] =
    "Usage:\n"
    "  sstablefs [mount] [-f] [-d] [-s] [-o OPTS] SOURCE MOUNTPOINT\n"
    "  sstablefs dump PATH [-k KEY]... [-x KEY]... [-e] [-l] [-t]\n"
    "  sstablefs dump PATH (--rows | --csv) [--now TIME]\n"
    "  sstablefs verify SOURCE [--json] [--quick]\n"
    "  sstablefs --help | --version\n"
    "\n"
    "Commands:\n"
    "  mount    mount SOURCE (a data directory, keyspace, table, snapshot or\n"
    "           folder of SSTables) read-only at MOUNTPOINT with FUSE; the\n"
    "           default command: the word \"mount\" may be left out\n"
    "           (see `sstablefs mount --help`)\n"
    "  dump     print an SSTable as sstabledump-compatible JSON\n"
    "           (see `sstablefs dump --help`)\n"
    "  verify   check the integrity of SSTables: completeness, digests, chunk\n"
    "           checksums, structure, index and statistics\n"
    "           (see `sstablefs verify --help`)\n"
    "\n"
    "Exit codes: 0 success, 1 damage found, 2 usage or I/O error.\n";

}  // namespace

int main(int argc, char** argv) {
  using sstablefs::cli::kExitError;
  using sstablefs::cli::kExitOk;
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return kExitError;
  }
  const char* cmd = argv[1];
  if (std::strcmp(cmd, "--help") == 0 || std::strcmp(cmd, "-h") == 0) {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (std::strcmp(cmd, "--version") == 0 || std::strcmp(cmd, "-V") == 0) {
    std::printf("sstablefs %s\n", SSTFS_VERSION);
    return kExitOk;
  }
  if (std::strcmp(cmd, "dump") == 0) {
    return sstablefs::cli::RunDump(argc - 1, argv + 1, stdout, stderr);
  }
  if (std::strcmp(cmd, "verify") == 0) {
    return sstablefs::cli::RunVerify(argc - 1, argv + 1, stdout, stderr);
  }
  if (std::strcmp(cmd, "mount") == 0) {
    return sstablefs::cli::RunMount(argc - 1, argv + 1, stdout, stderr);
  }
  return sstablefs::cli::RunMount(argc, argv, stdout, stderr);
}
