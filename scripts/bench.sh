#!/usr/bin/env bash
# Benchmarks of sstablefs (issue 7): generates data with sstablefs-gen (cached
# between runs), mounts it and measures render throughput, the stages under
# it, daemon memory, partition lookups, listing, fio reads, mount time and
# `verify --quick`. Every benchmark runs several times and prints one line:
#
#   RESULT <name> median=<v> min=<v> max=<v> unit=<u> reps=<n> [key=value]...
#   RESULT <name> skipped reason=<why>
#
# (values are the median/min/max of the repetitions; extra keys derive from
# the median). BENCHMARKS.md holds the results and how to read them.
#
# Usage: scripts/bench.sh [--smoke] [--reps N] [--build DIR] [--data DIR]
#                         [--only name,name...]
#   --smoke   tiny data, one repetition, short fio runs: proves the script and
#             prints every result line in seconds (CI; CTest test bench_smoke)
#   --build   build folder holding sstablefs and tools/ (default build/release,
#             configured and built with CMake if missing)
#   --data    where generated data is kept between runs
#             (default ${XDG_CACHE_HOME:-~/.cache}/sstablefs-bench)
#   --only    run only these benchmarks (render, stages, memory, lookup,
#             listing, fio, mount, verify)
# Binaries may also be given one by one: --sstablefs, --gen, --bench-render.
# Environment: BENCH_TIMESERIES_SIZE (default 1G), BENCH_NARROW_SIZE (256M),
# BENCH_WIDE_SIZE (256M), BENCH_LOOKUPS (10000), BENCH_FIO_RUNTIME (10s; fio units).
#
# Exit status: 0 when every benchmark ran (or was skipped for a stated reason
# outside --smoke), 1 when one failed, 77 without /dev/fuse or fusermount3
# (1 under CI=true). The cold lookup pass writes /proc/sys/vm/drop_caches
# (root only, not in --smoke): it slows other work on the machine briefly.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
smoke=0
reps=""
build="$root/build/release"
data="${XDG_CACHE_HOME:-$HOME/.cache}/sstablefs-bench"
only=""
sstablefs="" gen="" bench_render=""
while (($#)); do
  case $1 in
    --smoke) smoke=1 ;;
    --reps) reps=$2; shift ;;
    --build) build=$2; shift ;;
    --data) data=$2; shift ;;
    --only) only=$2; shift ;;
    --sstablefs) sstablefs=$2; shift ;;
    --gen) gen=$2; shift ;;
    --bench-render) bench_render=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if ((smoke)); then
  : "${reps:=1}"
  ts_size=${BENCH_TIMESERIES_SIZE:-3M}
  narrow_size=${BENCH_NARROW_SIZE:-1M}
  wide_size=${BENCH_WIDE_SIZE:-1M}
  lookups=${BENCH_LOOKUPS:-100}
  fio_runtime=${BENCH_FIO_RUNTIME:-300ms}
else
  : "${reps:=5}"
  ts_size=${BENCH_TIMESERIES_SIZE:-1G}
  narrow_size=${BENCH_NARROW_SIZE:-256M}
  wide_size=${BENCH_WIDE_SIZE:-256M}
  lookups=${BENCH_LOOKUPS:-10000}
  fio_runtime=${BENCH_FIO_RUNTIME:-10s}
fi
seed=1

# --- binaries ------------------------------------------------------------
if [[ -z $sstablefs ]]; then
  if [[ ! -x $build/sstablefs ]]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" --target sstablefs sstablefs-gen bench_render
  fi
  sstablefs=$build/sstablefs
  gen=${gen:-$build/tools/gen/sstablefs-gen}
  bench_render=${bench_render:-$build/tools/bench_render}
fi
[[ -x $sstablefs ]] || { echo "bench.sh: no sstablefs at $sstablefs" >&2; exit 2; }

failed=0
tmp=$(mktemp -d /tmp/sstablefs-bench-XXXXXX)
mounts=()   # mount points to release on exit
pids=()     # daemons we started

cleanup() {
  local m p
  for m in "${mounts[@]}"; do
    if mountpoint -q "$m" 2>/dev/null; then
      timeout 10 fusermount3 -u "$m" 2>/dev/null || timeout 10 fusermount3 -uz "$m" 2>/dev/null || true
    fi
  done
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

skip_all() {  # reason
  echo "bench.sh: $1" >&2
  if [[ ${CI:-} == true ]]; then exit 1; fi
  exit 77
}
[[ -e /dev/fuse ]] || skip_all "/dev/fuse does not exist"
command -v fusermount3 >/dev/null || skip_all "fusermount3 is not installed (Debian package fuse3)"

wanted() { [[ -z $only || ",$only," == *",$1,"* ]]; }
now_ns() { date +%s%N; }
secs_since() { python3 -c "import sys; print('%.6f' % ((int(sys.argv[2]) - int(sys.argv[1])) / 1e9))" "$1" "$(now_ns)"; }

# stats FILE: "median min max" of the numbers in FILE (one a line).
stats() {
  python3 - "$1" <<'EOF'
import statistics, sys
v = [float(x) for x in open(sys.argv[1]) if x.strip()]
print("%.6g %.6g %.6g" % (statistics.median(v), min(v), max(v)))
EOF
}

# result NAME UNIT FILE [key=value...]: prints the fixed-format line.
result() {
  local name=$1 unit=$2 file=$3; shift 3
  local med min max n
  read -r med min max < <(stats "$file")
  n=$(grep -c . "$file")
  echo "RESULT $name median=$med min=$min max=$max unit=$unit reps=$n${*:+ $*}"
}
skipped() { echo "RESULT $1 skipped reason=$2"; }
bench_failed() { echo "RESULT $1 failed reason=$2"; failed=1; }
mbps() { python3 -c "import sys; b,s=float(sys.argv[1]),float(sys.argv[2]); print('%.1f' % (b/1e6/s if s>0 else 0))" "$1" "$2"; }
ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1])/float(sys.argv[2])))" "$1" "$2"; }
median_of() { stats "$1" | cut -d' ' -f1; }

# --- data ----------------------------------------------------------------
# gen_data PRESET SIZE: prints the data directory (generated once, kept).
gen_data() {
  local dir="$data/$1-$2-s$seed"
  if [[ ! -f $dir/.complete ]]; then
    [[ -x $gen ]] || return 1
    rm -rf "$dir"
    mkdir -p "$dir"
    "$gen" --preset "$1" --size "$2" --seed "$seed" "$dir/out" >&2 || return 1
    touch "$dir/.complete"
  fi
  echo "$dir/out/data"
}

# first_table DATADIR: the first non-system table folder.
first_table() {
  find "$1" -mindepth 2 -maxdepth 2 -type d -name '*-*' | grep -v '/system' | sort | head -1
}
bytes_of() { find "$@" -name '*-Data.db' -printf '%s\n' | awk '{s+=$1} END {print s+0}'; }

# --- mounts ----------------------------------------------------------------
# do_mount SOURCE MNT [OPTS]: starts the daemon in the foreground (we keep its
# pid for /proc sampling) and waits for the mount. Sets $daemon.
# Every mount of one run uses the same `now`: rows of TTL'd data depend on
# it, so with a per-mount `now` no size in cache_dir could be reused.
bench_now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
do_mount() {
  local src=$1 mnt=$2 opts=${3:-}
  mkdir -p "$mnt"
  "$sstablefs" -f -o "now=$bench_now${opts:+,$opts}" "$src" "$mnt" 2>>"$tmp/daemon.log" &
  daemon=$!
  pids+=("$daemon")
  mounts+=("$mnt")
  local i
  for ((i = 0; i < 400; i++)); do
    mountpoint -q "$mnt" && return 0
    kill -0 "$daemon" 2>/dev/null || { tail -5 "$tmp/daemon.log" >&2; return 1; }
    sleep 0.05
  done
  return 1
}
# wait_idle MNT: until the background size passes are done (status.json
# shows nothing queued or running three times in a row), at most 10 min.
wait_idle() {
  local idle=0 i
  for ((i = 0; i < 1200 && idle < 3; i++)); do
    if python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["background"]; sys.exit(0 if b["queued"]==0 and b["running"] is None else 1)' \
        "$1/.sstablefs/status.json" 2>/dev/null; then
      idle=$((idle + 1))
    else
      idle=0
    fi
    sleep 0.5
  done
}
do_unmount() {  # MNT
  timeout 10 fusermount3 -u "$1" 2>/dev/null || timeout 10 fusermount3 -uz "$1" || true
  timeout 15 tail --pid="$daemon" -f /dev/null || kill "$daemon" 2>/dev/null || true
}
peak_rss_mb() {  # PID: VmHWM (peak resident set) in MiB
  awk '/^VmHWM:/ {printf "%.1f\n", $2/1024}' "/proc/$1/status" 2>/dev/null || echo 0
}

# --- benchmarks ----------------------------------------------------------
ts_data="" ts_table="" render_jsonl_mbps=""
need_timeseries() {
  [[ -n $ts_table ]] && return 0
  ts_data=$(gen_data timeseries "$ts_size") || return 1
  ts_table=$(first_table "$ts_data")
  [[ -n $ts_table ]]
}
# The mount path of a table folder .../<ks>/<table>-<id> under MNT.
table_in_mount() {  # MNT TABLEFOLDER
  local ks t
  ks=$(basename "$(dirname "$2")")
  t=$(basename "$2")
  echo "$1/$ks/${t%-*}"
}

bench_render() {
  need_timeseries || { bench_failed render "no timeseries data (sstablefs-gen at $gen)"; return; }
  local data_bytes cache="$tmp/cache-render" mnt="$tmp/mnt-render" fmt f t0 rss
  data_bytes=$(bytes_of "$ts_table")
  # Sizes first (cache_dir), so each repetition times one render pass.
  do_mount "$ts_data" "$mnt" "cache_dir=$cache" || { bench_failed render "mount failed"; return; }
  stat "$(table_in_mount "$mnt" "$ts_table")"/rows.{jsonl,csv} >/dev/null
  wait_idle "$mnt"  # every other size too, so no size pass runs while timing
  do_unmount "$mnt"
  for fmt in jsonl csv; do
    : >"$tmp/render-$fmt" ; : >"$tmp/rss-$fmt"
    for ((i = 0; i < reps; i++)); do
      do_mount "$ts_data" "$mnt" "cache_dir=$cache" || { bench_failed "render_${fmt}_mount" "mount failed"; return; }
      f="$(table_in_mount "$mnt" "$ts_table")/rows.$fmt"
      t0=$(now_ns)
      cat "$f" >/dev/null
      secs_since "$t0" >>"$tmp/render-$fmt"
      out_bytes=$(stat -c %s "$f")
      peak_rss_mb "$daemon" >>"$tmp/rss-$fmt"
      do_unmount "$mnt"
    done
    local med; med=$(median_of "$tmp/render-$fmt")
    [[ $fmt == jsonl ]] && render_jsonl_mbps=$(mbps "$data_bytes" "$med")
    result "render_${fmt}_mount" s "$tmp/render-$fmt" \
      "data_mb_s=$(mbps "$data_bytes" "$med")" "out_mb_s=$(mbps "$out_bytes" "$med")" \
      "data_bytes=$data_bytes" "out_bytes=$out_bytes"
    result "rss_render_${fmt}" MiB "$tmp/rss-$fmt"
    # A first read right after mounting, with no size known yet: stat (the
    # size pass) then cat, as a user without cache_dir sees it.
    if [[ $fmt == jsonl ]]; then
      : >"$tmp/first-$fmt"
      for ((i = 0; i < reps; i++)); do
        rm -rf "$tmp/cache-first"
        do_mount "$ts_data" "$mnt" "cache_dir=$tmp/cache-first" || { bench_failed "render_${fmt}_first_read" "mount failed"; return; }
        f="$(table_in_mount "$mnt" "$ts_table")/rows.$fmt"
        t0=$(now_ns)
        cat "$f" >/dev/null
        secs_since "$t0" >>"$tmp/first-$fmt"
        do_unmount "$mnt"
      done
      med=$(median_of "$tmp/first-$fmt")
      result "render_${fmt}_first_read" s "$tmp/first-$fmt" "data_mb_s=$(mbps "$data_bytes" "$med")"
    fi
    local flag=--rows; [[ $fmt == csv ]] && flag=--csv
    : >"$tmp/dump-$fmt"
    for ((i = 0; i < reps; i++)); do
      t0=$(now_ns)
      "$sstablefs" dump "$ts_table" $flag >/dev/null
      secs_since "$t0" >>"$tmp/dump-$fmt"
    done
    med=$(median_of "$tmp/dump-$fmt")
    result "render_${fmt}_dump" s "$tmp/dump-$fmt" "data_mb_s=$(mbps "$data_bytes" "$med")"
  done
}

bench_stages() {
  need_timeseries || { bench_failed stages "no timeseries data"; return; }
  local d mnt="$tmp/mnt-stages" t0 f sst name slowest=0 slowest_name=""
  d=$(find "$ts_table" -maxdepth 1 -name '*-Data.db' -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2)
  local bytes; bytes=$(stat -c %s "$d")
  local -A med
  local stage_bytes
  run_stage() {  # NAME CMD... (MB/s of $stage_bytes, default the Data.db)
    local n=$1 b=${stage_bytes:-$bytes}; shift
    : >"$tmp/stage-$n"
    for ((i = 0; i < reps; i++)); do
      t0=$(now_ns)
      "$@" >/dev/null
      secs_since "$t0" >>"$tmp/stage-$n"
    done
    med[$n]=$(median_of "$tmp/stage-$n")
    result "stage_$n" s "$tmp/stage-$n" "mb_s=$(mbps "$b" "${med[$n]}")" "bytes=$b"
  }
  cat "$d" >/dev/null  # page cache warm: stages measure CPU, not the disk
  run_stage raw_read cat "$d"
  run_stage crc_digest "$sstablefs" verify --quick "$d"
  run_stage verify_full "$sstablefs" verify "$d"
  if [[ -x $bench_render ]]; then
    run_stage decompress_crc "$bench_render" --emit decompress "$d"
    run_stage decode "$bench_render" --emit decode "$d"
    run_stage render_jsonl_nofuse "$bench_render" --emit jsonl "$d"
  else
    skipped stage_decompress_crc "no bench_render at $bench_render"
    skipped stage_decode "no bench_render at $bench_render"
    skipped stage_render_jsonl_nofuse "no bench_render at $bench_render"
  fi
  run_stage dump_rows_one_sstable "$sstablefs" dump "$d" --rows
  do_mount "$ts_data" "$mnt" || { bench_failed stages "mount failed"; return; }
  sst=$(ls "$(table_in_mount "$mnt" "$ts_table")/sstables" | head -1)
  name=$(basename "$d")
  for s in $(ls "$(table_in_mount "$mnt" "$ts_table")/sstables"); do
    [[ -e "$(table_in_mount "$mnt" "$ts_table")/sstables/$s/files/$name" ]] && sst=$s
  done
  f="$(table_in_mount "$mnt" "$ts_table")/sstables/$sst/files/$name"
  run_stage fuse_passthrough "cat" "$f"
  f="$(table_in_mount "$mnt" "$ts_table")/rows.jsonl"
  cat "$f" >/dev/null
  stage_bytes=$(stat -c %s "$f")
  run_stage fuse_read_rendered_cached cat "$f"
  stage_bytes=""
  do_unmount "$mnt"
  # The unavoidable stages: reading, checksumming and decompressing, and
  # decoding Data.db (each stage includes the ones before it; verify_full
  # stands in for decoding when bench_render is missing).
  local unavoidable="raw_read crc_digest decompress_crc decode"
  [[ -n ${med[decode]:-} ]] || unavoidable="raw_read crc_digest verify_full"
  for n in $unavoidable; do
    [[ -n ${med[$n]:-} ]] || continue
    if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "${med[$n]}" "$slowest"; then
      slowest=${med[$n]}; slowest_name=$n
    fi
  done
  local slowest_mbps; slowest_mbps=$(mbps "$bytes" "$slowest")
  echo "RESULT stage_ratio slowest_stage=$slowest_name slowest_stage_mb_s=$slowest_mbps" \
    "render_mount_mb_s=${render_jsonl_mbps:-?}" \
    "render_over_slowest=$([[ -n $render_jsonl_mbps ]] && ratio "$render_jsonl_mbps" "$slowest_mbps" || echo '?')" \
    "dump_one_sstable_over_slowest=$(ratio "$slowest" "${med[dump_rows_one_sstable]}")" \
    "render_mount_over_render_nofuse=$([[ -n $render_jsonl_mbps && -n ${med[render_jsonl_nofuse]:-} ]] && ratio "$render_jsonl_mbps" "$(mbps "$bytes" "${med[render_jsonl_nofuse]}")" || echo '?')"
}

narrow_data="" narrow_table=""
need_narrow() {
  [[ -n $narrow_table ]] && return 0
  narrow_data=$(gen_data narrow "$narrow_size") || return 1
  narrow_table=$(first_table "$narrow_data")
  [[ -n $narrow_table ]]
}

bench_listing() {
  need_narrow || { bench_failed listing "no narrow data"; return; }
  local mnt="$tmp/mnt-list" dir t0 n
  do_mount "$narrow_data" "$mnt" || { bench_failed listing "mount failed"; return; }
  dir="$(table_in_mount "$mnt" "$narrow_table")/partitions"
  : >"$tmp/listing"
  for ((i = 0; i < reps; i++)); do
    t0=$(now_ns)
    n=$(ls -f "$dir" | wc -l)
    secs_since "$t0" >>"$tmp/listing"
  done
  local med; med=$(median_of "$tmp/listing")
  result listing_narrow s "$tmp/listing" "names=$n" \
    "names_per_s=$(python3 -c "import sys; print('%.0f' % (int(sys.argv[1])/float(sys.argv[2])))" "$n" "$med")"
  echo "RESULT rss_listing_narrow median=$(peak_rss_mb "$daemon") unit=MiB reps=1"
  do_unmount "$mnt"
}

bench_memory_wide() {
  local wide_data wide_table mnt="$tmp/mnt-wide" p t0
  wide_data=$(gen_data wide "$wide_size") || { skipped rss_wide_partition "sstablefs-gen has no wide preset"; return; }
  wide_table=$(first_table "$wide_data")
  do_mount "$wide_data" "$mnt" || { bench_failed rss_wide_partition "mount failed"; return; }
  p=$(ls -f "$(table_in_mount "$mnt" "$wide_table")/partitions" | grep -v '^\.' | head -1)
  : >"$tmp/wide"
  t0=$(now_ns)
  cat "$(table_in_mount "$mnt" "$wide_table")/partitions/$p/rows.jsonl" >/dev/null
  secs_since "$t0" >>"$tmp/wide"
  result wide_partition_cat s "$tmp/wide"
  echo "RESULT rss_wide_partition median=$(peak_rss_mb "$daemon") unit=MiB reps=1"
  do_unmount "$mnt"
}

bench_lookup() {
  need_narrow || { bench_failed lookup "no narrow data"; return; }
  local mnt="$tmp/mnt-lookup" keys="$tmp/keys" rel
  # Keys as `dump -e` prints them (a list of components per key), sampled.
  python3 - "$sstablefs" "$lookups" "$narrow_table"/*-Data.db >"$keys" <<'EOF'
import json, random, subprocess, sys
keys = []
for d in sys.argv[3:]:
    out = subprocess.run([sys.argv[1], "dump", d, "-e"], check=True,
                         capture_output=True).stdout
    keys += [k if isinstance(k, list) else [k] for k in json.loads(out)]
random.seed(1)
for k in random.sample(keys, min(int(sys.argv[2]), len(keys))):
    print(json.dumps(k))
EOF
  rel=$(table_in_mount "$mnt" "$narrow_table")
  do_mount "$narrow_data" "$mnt" || { bench_failed lookup "mount failed"; return; }
  lookup_pass() {  # NAME: opens and reads partitions/<key>/rows.jsonl per key
    python3 - "$rel/partitions" "$keys" "$1" <<'EOF'
import json, os, statistics, sys, time
base, keyfile, name = sys.argv[1:4]
def esc_one(k):
    out = []
    for i, ch in enumerate(str(k)):
        bad = ch in "/%:" or ord(ch) < 0x20 or ord(ch) == 0x7f or (i == 0 and ch in ".~")
        out.append("".join("%%%02X" % b for b in ch.encode()) if bad else ch)
    return "".join(out)
def esc(components):  # SPEC §4: components joined with ':'
    return ":".join(esc_one(c) for c in components)
lat = []
for line in open(keyfile).read().split("\n"):
    if not line:
        continue
    k = json.loads(line)
    t0 = time.perf_counter()
    with open(os.path.join(base, esc(k), "rows.jsonl"), "rb") as f:
        f.read()
    lat.append(time.perf_counter() - t0)
lat.sort()
us = lambda x: "%.0f" % (x * 1e6)
p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
print("RESULT %s median=%s min=%s max=%s unit=us reps=%d p99=%s" % (
    name, us(statistics.median(lat)), us(lat[0]), us(lat[-1]), len(lat), us(p99)))
EOF
  }
  lookup_pass lookup_first_pass || bench_failed lookup "lookups failed"
  lookup_pass lookup_warm || bench_failed lookup "lookups failed"
  do_unmount "$mnt"
  if ((smoke)); then
    skipped lookup_cold "not in --smoke (drops the machine's page cache)"
  elif [[ -w /proc/sys/vm/drop_caches ]]; then
    sync; echo 3 >/proc/sys/vm/drop_caches
    do_mount "$narrow_data" "$mnt" || { bench_failed lookup "mount failed"; return; }
    lookup_pass lookup_cold || bench_failed lookup "lookups failed"
    do_unmount "$mnt"
  else
    skipped lookup_cold "cannot write /proc/sys/vm/drop_caches (not root)"
  fi
}

bench_fio() {
  command -v fio >/dev/null || { skipped fio "fio is not installed"; return; }
  need_timeseries || { bench_failed fio "no timeseries data"; return; }
  local mnt="$tmp/mnt-fio" d name sst tdir job target path
  d=$(find "$ts_table" -maxdepth 1 -name '*-Data.db' -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2)
  name=$(basename "$d")
  do_mount "$ts_data" "$mnt" || { bench_failed fio "mount failed"; return; }
  tdir=$(table_in_mount "$mnt" "$ts_table")
  for s in $(ls "$tdir/sstables"); do
    [[ -e $tdir/sstables/$s/files/$name ]] && sst=$s
  done
  stat "$tdir/rows.jsonl" >/dev/null
  for job in "$root"/scripts/fio/*.fio; do
    for target in native passthrough rendered; do
      case $target in
        native) path=$d ;;
        passthrough) path=$tdir/sstables/$sst/files/$name ;;
        rendered) path=$tdir/rows.jsonl ;;
      esac
      local bs size need
      bs=$(sed -n 's/^bs=//p' "$job")
      need=$(numfmt --from=iec "${bs^^}")
      size=$(stat -c %s "$path")
      if ((size < need)); then
        skipped "fio_$(basename "$job" .fio)_$target" "file of $size bytes is smaller than one $bs block"
        continue
      fi
      if ! FIO_FILE=$path FIO_RUNTIME=$fio_runtime timeout 600 \
          fio --readonly --output-format=json "$job" >"$tmp/fio.json" 2>"$tmp/fio.err"; then
        bench_failed "fio_$(basename "$job" .fio)_$target" "$(head -c 200 "$tmp/fio.err" | tr '\n' ' ')"
        continue
      fi
      python3 - "$tmp/fio.json" "fio_$(basename "$job" .fio)_$target" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
bw = sum(t["read"]["bw_bytes"] for t in j["jobs"]) / 1e6
iops = sum(t["read"]["iops"] for t in j["jobs"])
print("RESULT %s median=%.1f min=%.1f max=%.1f unit=MB/s reps=1 iops=%.0f" % (
    sys.argv[2], bw, bw, bw, iops))
EOF
    done
  done
  do_unmount "$mnt"
}

bench_mount() {
  local src="$data/mount-100-tables" mnt="$tmp/mnt-100" one t0 i n
  need_timeseries || { bench_failed mount_100_tables "no data"; return; }
  if [[ ! -f $src/.complete ]]; then
    rm -rf "$src"
    one=$(first_table "$(gen_data kitchen 1M || echo "$ts_data")")
    for ((i = 0; i < 100; i++)); do
      mkdir -p "$src/ks/t$(printf %03d $i)-$(printf '%032x' $((i + 1)))"
      ln "$one"/*.* "$src/ks/t$(printf %03d $i)-$(printf '%032x' $((i + 1)))/" 2>/dev/null ||
        cp "$one"/*.* "$src/ks/t$(printf %03d $i)-$(printf '%032x' $((i + 1)))/"
    done
    touch "$src/.complete"
  fi
  : >"$tmp/mount"
  for ((i = 0; i < reps; i++)); do
    mkdir -p "$mnt"
    t0=$(now_ns)
    timeout 30 "$sstablefs" "$src" "$mnt" || { bench_failed mount_100_tables "mount failed"; return; }
    n=$(ls "$mnt/ks" | wc -l)
    secs_since "$t0" >>"$tmp/mount"
    timeout 10 fusermount3 -u "$mnt" || timeout 10 fusermount3 -uz "$mnt" || true
  done
  result mount_100_tables s "$tmp/mount" "tables_listed=$n"
}

bench_verify() {
  need_timeseries || { bench_failed verify_quick "no data"; return; }
  local bytes t0 rc
  bytes=$(bytes_of "$ts_data")
  : >"$tmp/verify"
  for ((i = 0; i < reps; i++)); do
    t0=$(now_ns)
    rc=0; "$sstablefs" verify --quick "$ts_data" >/dev/null || rc=$?
    secs_since "$t0" >>"$tmp/verify"
  done
  local med; med=$(median_of "$tmp/verify")
  result verify_quick s "$tmp/verify" "gb_s=$(python3 -c "import sys; print('%.2f' % (float(sys.argv[1])/1e9/float(sys.argv[2])))" "$bytes" "$med")" \
    "data_bytes=$bytes" "exit=$rc"
}

echo "# sstablefs bench: $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -r) $(nproc) cpus;" \
  "libfuse $(pkg-config --modversion fuse3 2>/dev/null || echo '?'); reps=$reps$( ((smoke)) && echo ' (smoke)')"
echo "# sizes: timeseries=$ts_size narrow=$narrow_size wide=$wide_size lookups=$lookups fio_runtime=${fio_runtime}"
wanted render && bench_render
wanted stages && bench_stages
wanted memory && bench_memory_wide
wanted lookup && bench_lookup
wanted listing && bench_listing
wanted fio && bench_fio
wanted mount && bench_mount
wanted verify && bench_verify
exit $failed
