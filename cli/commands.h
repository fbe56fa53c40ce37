// Subcommands of the `sstablefs` executable. Each takes the arguments after
// its own name (argv[0] is the subcommand name) and returns the process exit
// code (SPEC §6): 0 success, 1 damage found (verify), 2 usage or I/O error.
#ifndef SSTABLEFS_CLI_COMMANDS_H_
#define SSTABLEFS_CLI_COMMANDS_H_

#include <cstdio>

namespace sstablefs::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitDamage = 1;
inline constexpr int kExitError = 2;

// `sstablefs dump PATH [-k KEY]... [-x KEY]... [-e] [-l] [-t]` and
// `sstablefs dump PATH (--rows | --csv) [--now TIME]`
int RunDump(int argc, char** argv, std::FILE* out, std::FILE* err);

// `sstablefs verify SOURCE [--json] [--quick]`
int RunVerify(int argc, char** argv, std::FILE* out, std::FILE* err);

// `sstablefs [mount] [-f] [-d] [-s] [-o OPTS] SOURCE MOUNTPOINT` (also in
// mount(8) helper order, options last). argv[0] is "mount" or the program
// name. Validates everything before mounting; returns only after unmount
// (or, without -f, in the parent once the daemon runs).
int RunMount(int argc, char** argv, std::FILE* out, std::FILE* err);

}  // namespace sstablefs::cli

#endif  // SSTABLEFS_CLI_COMMANDS_H_
