#!/usr/bin/env bash
# Installs every build, test and runtime dependency of sstablefs from Debian
# packages (Debian 12). Run as root. Idempotent.
#
# Why each package:
#   cmake ninja-build g++ pkg-config   the build (C++20, CMake >= 3.25)
#   libfuse3-dev fuse3                 the FUSE daemon and fusermount3
#   liblz4-dev libzstd-dev libsnappy-dev zlib1g-dev
#                                      the compressors Cassandra writes with
#   libdeflate-dev                     fast CRC32 (~5x zlib's) and fast inflate
#                                      for DeflateCompressor chunks
#   nlohmann-json3-dev                 metadata, config and test-expectation JSON
#   libgtest-dev                       the unit and corpus tests
#   clang libclang-rt-14-dev           libFuzzer + ASan/UBSan runtime (fuzz smoke)
#   clang-format-14                    the style check
#   fio                                the I/O benchmarks in scripts/fio (scripts/bench.sh)
#   python3                            the real-mount test driver (tests/mount/, stdlib only)
#                                      and small test helpers
#   jq                                 mount tests read rows.jsonl with `jq -c`, as users do
#   rsync                              mount tests copy a mount with `rsync -a` (exact sizes)
#   util-linux (mount, umount)         mount tests mount through `mount -t fuse.sstablefs`;
#                                      essential on Debian, listed so the need is written down
#   groff-base man-db                  render and check man/sstablefs.1 (man page test)
#   dpkg-dev lintian                   build the .deb with CPack (dpkg-shlibdeps,
#                                      dpkg-buildflags) and lint it (scripts/package-test.sh)
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libfuse3-dev fuse3
  liblz4-dev libzstd-dev libsnappy-dev zlib1g-dev libdeflate-dev
  nlohmann-json3-dev libgtest-dev
  clang libclang-rt-14-dev clang-format-14
  fio python3 jq rsync util-linux
  groff-base man-db
  dpkg-dev lintian
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages: ${missing[*]} (run as root)" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "install-deps: all ${#packages[@]} packages present"
