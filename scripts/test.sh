#!/usr/bin/env bash
# Runs the whole test suite: installs dependencies, builds a release and an
# ASan+UBSan configuration with warnings as errors, runs every test in both,
# runs the bounded fuzz smoke and the style check. .ci/run calls exactly this.
#
# The corpus is read from ../shared/corpus (or $SSTABLEFS_CORPUS). Without it
# the corpus tests report themselves skipped with the reason; under CI=true its
# absence is a failure.
#
# Environment: JOBS (default: nproc), SSTFS_SKIP_SANITIZE=1 and
# SSTFS_SKIP_FUZZ=1 to shorten a local run (never set under CI).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${JOBS:-$(nproc)}

step() { printf '\n=== %s ===\n' "$*"; }

step "dependencies"
bash scripts/install-deps.sh

if [[ "${CI:-}" == "true" && ! -f ../shared/corpus/expected.json && -z "${SSTABLEFS_CORPUS:-}" ]]; then
  echo "test.sh: CI=true but ../shared/corpus is missing" >&2
  exit 1
fi

step "style (clang-format-14)"
mapfile -t sources < <(git ls-files '*.cc' '*.h' 2>/dev/null || true)
if ((${#sources[@]})); then
  if ! clang-format-14 --dry-run --Werror "${sources[@]}"; then
    echo "test.sh: run clang-format-14 -i on the files above" >&2
    exit 1
  fi
fi

run_suite() {  # name, extra cmake args...
  local name=$1; shift
  step "build ($name)"
  cmake -S . -B "build/$name" -G Ninja -DSSTFS_WERROR=ON "$@" >/dev/null
  cmake --build "build/$name" -j "$jobs"
  step "tests ($name)"
  (cd "build/$name" && ctest --output-on-failure -j "$jobs" --timeout 600)
}

if [[ "${SSTFS_SKIP_SANITIZE:-0}" != 1 || "${CI:-}" == "true" ]]; then
  run_suite asan -DCMAKE_BUILD_TYPE=Debug -DSSTFS_SANITIZE=ON
fi
if [[ "${SSTFS_SKIP_FUZZ:-0}" != 1 || "${CI:-}" == "true" ]]; then
  if [[ -x scripts/fuzz-smoke.sh ]]; then
    step "fuzz smoke (libFuzzer, ASan+UBSan, bounded)"
    bash scripts/fuzz-smoke.sh
  fi
fi
run_suite release -DCMAKE_BUILD_TYPE=Release

# The .deb: build it, install it on this machine, use the installed command
# (dump, verify, mount -t fuse.sstablefs, man), remove it, check nothing is
# left. Needs root (dpkg -i); under CI we are root.
step "package (.deb build, install, use, remove)"
if [[ $(id -u) -eq 0 ]]; then
  bash scripts/package-test.sh
elif [[ "${CI:-}" == "true" ]]; then
  echo "test.sh: CI=true but not root: cannot run scripts/package-test.sh" >&2
  exit 1
else
  echo "test.sh: SKIPPED package test: needs root (dpkg -i)"
fi
