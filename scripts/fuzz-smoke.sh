#!/usr/bin/env bash
# Fuzz smoke test: builds every tests/fuzz/*_fuzzer.cc with clang++ under
# AddressSanitizer + UndefinedBehaviorSanitizer (build-fuzz/), seeds each one
# from the corpus, and runs them for a bounded time. Exits non-zero on any
# finding (crash, sanitizer report, leak, timeout, out-of-memory) or build
# failure.
#
# Usage: scripts/fuzz-smoke.sh [TOTAL_SECONDS]   (default 60, split evenly
#        between the fuzzers)
# Environment: SSTABLEFS_CORPUS (default ../shared/corpus), FUZZ_BUILD_DIR
#        (default build-fuzz), CXX (default clang++).
#
# Seeds are written to a temporary folder (never into the repository) and
# removed on exit; a crashing input is printed as hex before that.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
total=${1:-60}
corpus=${SSTABLEFS_CORPUS:-$root/../shared/corpus}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
cxx=${CXX:-clang++}

command -v "$cxx" >/dev/null || { echo "fuzz-smoke: $cxx not found" >&2; exit 2; }

cmake -S "$root" -B "$build" -G Ninja -DSSTFS_FUZZ=ON \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fuzzers=()
for src in "$root"/tests/fuzz/*_fuzzer.cc; do
  fuzzers+=("$(basename "$src" .cc)")
done
[ ${#fuzzers[@]} -gt 0 ] || { echo "fuzz-smoke: no fuzzers" >&2; exit 2; }
ninja -C "$build" "${fuzzers[@]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/sstfs-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- Seeds for reader_fuzzer: <target byte><variant byte><payload> --------
# Variant = index of the format version in ma mb mc md me na nb (target 3:
# schema + 8 * version index, schemas as in reader_fuzzer.cc).
seeds="$work/seeds-reader_fuzzer"
mkdir -p "$seeds"
version_index() {
  case "$1" in
    ma) echo 0 ;; mb) echo 1 ;; mc) echo 2 ;; md) echo 3 ;; me) echo 4 ;;
    na) echo 5 ;; nb) echo 6 ;; *) echo 2 ;;
  esac
}
byte() { printf "\\x$(printf '%02x' "$1")"; }
n=0
seed() {  # seed TARGET VARIANT FILE [PAYLOAD-PREFIX-HEX]
  local out="$seeds/seed-$n"
  n=$((n + 1))
  { byte "$1"; byte "$2"; [ -n "${4:-}" ] && printf "$4"; cat "$3"; } >"$out"
}
if [ -d "$corpus" ]; then
  while IFS= read -r -d '' f; do
    name=$(basename "$f")
    ver=$(version_index "${name:0:2}")
    case "$name" in
      *-Statistics.db) seed 0 "$ver" "$f" ;;
      *-CompressionInfo.db)
        data="${f%CompressionInfo.db}Data.db"
        [ -f "$data" ] || continue
        size=$(stat -c %s "$data")
        seed 1 "$ver" "$f" "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' \
          $((size >> 24 & 255)) $((size >> 16 & 255)) $((size >> 8 & 255)) \
          $((size & 255)))" ;;
      *-TOC.txt) seed 5 0 "$f" ;;
    esac
  done < <(find "$corpus" -type f \( -name '*-Statistics.db' \
             -o -name '*-CompressionInfo.db' -o -name '*-TOC.txt' \) \
             -size -60k -print0)
  # Uncompressed Data.db files of the schemas built into the fuzzer.
  u="$corpus/scylla-3x/uncompressed"
  [ -f "$u/static_row/mc-1-big-Data.db" ] &&
    seed 3 $((0 + 8 * 2)) "$u/static_row/mc-1-big-Data.db"
  [ -f "$u/collections/mc-1-big-Data.db" ] &&
    seed 3 $((1 + 8 * 2)) "$u/collections/mc-1-big-Data.db"
  [ -f "$u/write_overlapped_range_tombstones/mc-1-big-Data.db" ] &&
    seed 3 $((2 + 8 * 2)) "$u/write_overlapped_range_tombstones/mc-1-big-Data.db"
  [ -f "$u/counters/mc-1-big-Data.db" ] &&
    seed 3 $((3 + 8 * 2)) "$u/counters/mc-1-big-Data.db"
else
  echo "fuzz-smoke: corpus not found at $corpus; running without seeds" >&2
fi
# Type strings (target 2): type text, NUL, a value.
m=org.apache.cassandra.db.marshal
for t in "$m.MapType($m.Int32Type,$m.UTF8Type)" \
         "$m.FrozenType($m.ListType($m.TupleType($m.Int32Type,$m.UTF8Type)))" \
         "$m.UserType(ks,61646472657373,737472656574:$m.UTF8Type)" \
         "$m.VectorType($m.FloatType,3)" "$m.ReversedType($m.TimestampType)" \
         "$m.DecimalType" "$m.DurationType" "$m.InetAddressType"; do
  { byte 2; byte 0; printf '%s' "$t"; printf '\0\0\0\0\1\0\0\0\2ab'; } \
    >"$seeds/seed-$n"
  n=$((n + 1))
done
echo "fuzz-smoke: $n seeds for reader_fuzzer"

# --- Seeds for sstable_fuzzer: whole corpus SSTables packed as
# <version index> then per component <index><u24 BE length><bytes>.
sseeds="$work/seeds-sstable_fuzzer"
mkdir -p "$sseeds"
ns=0
if [ -d "$corpus" ]; then
  while IFS= read -r -d '' data; do
    name=$(basename "$data")
    case "$name" in [mn][a-e]-*-big-Data.db) ;; *) continue ;; esac
    base=${data%Data.db}
    bytes=0
    for c in Data.db Statistics.db CompressionInfo.db Index.db Summary.db \
             Filter.db CRC.db TOC.txt; do
      [ -f "$base$c" ] && bytes=$((bytes + $(stat -c %s "$base$c")))
    done
    [ "$bytes" -le 200000 ] || continue
    {
      byte "$(version_index "${name:0:2}")"
      i=0
      for c in Data.db Statistics.db CompressionInfo.db Index.db Summary.db \
               Filter.db CRC.db TOC.txt; do
        if [ -f "$base$c" ]; then
          sz=$(stat -c %s "$base$c")
          byte "$i"; byte $((sz >> 16 & 255)); byte $((sz >> 8 & 255))
          byte $((sz & 255)); cat "$base$c"
        fi
        i=$((i + 1))
      done
    } >"$sseeds/seed-$ns"
    ns=$((ns + 1))
  done < <(find "$corpus" -type f -name '*-Data.db' -print0)
fi
echo "fuzz-smoke: $ns seeds for sstable_fuzzer"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# Fuzzers that write files (sstable_fuzzer) put them under TMPDIR: keep that
# inside the work folder so even a crashed run leaves nothing behind.
mkdir -p "$work/tmp"
export TMPDIR="$work/tmp"
per=$((total / ${#fuzzers[@]}))
[ "$per" -ge 1 ] || per=1
status=0
for fz in "${fuzzers[@]}"; do
  mkdir -p "$work/$fz-corpus" "$work/$fz-artifacts"
  echo "fuzz-smoke: running $fz for ${per}s"
  seed_dir="$work/seeds-$fz"
  mkdir -p "$seed_dir"
  if ! "$build/$fz" -max_total_time="$per" -timeout=10 -rss_limit_mb=2048 \
      -max_len=262144 -print_final_stats=1 \
      -artifact_prefix="$work/$fz-artifacts/" \
      "$work/$fz-corpus" "$seed_dir" >"$work/$fz.log" 2>&1; then
    status=1
    echo "fuzz-smoke: $fz FOUND A PROBLEM:" >&2
    grep -v '^#' "$work/$fz.log" | tail -60 >&2
    for a in "$work/$fz-artifacts"/*; do
      [ -f "$a" ] || continue
      echo "fuzz-smoke: input $(basename "$a") (hex):" >&2
      od -An -tx1 -v "$a" | head -40 >&2
    done
  else
    grep -E '^stat::number_of_executed_units|^Done' "$work/$fz.log" || true
  fi
done
exit $status
