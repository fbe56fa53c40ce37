#!/usr/bin/env bash
# scripts/package-test.sh: build the Debian package, install it, use the
# installed program, remove it, and check that nothing is left (issue 8).
#
#   sudo bash scripts/package-test.sh [BUILD_DIR]      (default build/package)
#
# SSTFS_PACKAGE_CMAKE_ARGS adds words to the cmake configure command line;
# SSTFS_EXAMPLE_TOOL replaces BUILD_DIR/tools/sstablefs-example (the example
# data writer).
# Needs root (dpkg -i / -r, mount), Debian 12 with the build dependencies
# (scripts/install-deps.sh) and fuse3. Steps:
#   1. configure a Release build with Debian's hardening flags, build
#      sstablefs and sstablefs-example, `cpack -G DEB`;
#   2. check the .deb: control fields, exact file list, lintian (no errors
#      allowed; warnings printed, see packaging/README; required under
#      CI=true, else skipped when not installed); `cpack -G RPM` and its file
#      list when rpmbuild is installed;
#   3. dpkg -i; run /usr/bin/sstablefs --version, dump and verify on example
#      data (and on the corpus when ../shared/corpus exists); man -w / man;
#      bash completion;
#   4. with /dev/fuse: mount through `mount -t fuse.sstablefs` and through an
#      fstab line (`mount -T FILE`), ls, umount. Skipped (with a message)
#      only while `sstablefs --help` lists no mount usage line, i.e. while
#      the daemon is not in the build; without /dev/fuse skipped, a failure
#      under CI=true;
#   5. dpkg -r; the package is gone and none of its files remain.
# Exit status 0 when every step passed; any failure stops with a message.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build/package}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
TMP=$(mktemp -d /tmp/sstablefs-package-test.XXXXXX)
MNT=$TMP/mnt
INSTALLED=0
MOUNTED=0

say() { printf '== %s\n' "$*"; }
fail() {
  printf 'package-test: FAIL: %s\n' "$*" >&2
  exit 1
}
skip() { printf 'package-test: SKIP: %s\n' "$*"; }

cleanup() {
  local rc=$?
  if [[ $MOUNTED == 1 ]]; then umount "$MNT" 2>/dev/null || umount -l "$MNT" || true; fi
  if [[ $INSTALLED == 1 ]]; then
    echo "package-test: removing the package after a failure" >&2
    dpkg -r sstablefs >/dev/null 2>&1 || true
  fi
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT

[[ $(id -u) == 0 ]] || fail "run as root (dpkg -i, dpkg -r and mount need it)"
command -v dpkg >/dev/null || fail "not a Debian system (no dpkg)"
command -v cpack >/dev/null || fail "cpack not found (install cmake)"
if dpkg-query -W -f='${Status}' sstablefs 2>/dev/null | grep -q 'ok installed'; then
  fail "a sstablefs package is already installed; remove it first (this test installs and removes it)"
fi
if grep -rqs 'path-exclude=*/usr/share/man' /etc/dpkg/dpkg.cfg.d/; then
  fail "dpkg is configured to drop man pages (/etc/dpkg/dpkg.cfg.d path-exclude): the man page check cannot pass here"
fi

# --- 1. build ------------------------------------------------------------------
say "build (Release, dpkg-buildflags hardening) in $BUILD"
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
CXXFLAGS_DEB="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CXXFLAGS)"
LDFLAGS_DEB="$(dpkg-buildflags --get LDFLAGS)"
# CMAKE_SKIP_INSTALL_ALL_DEPENDENCY: cpack installs what was built here
# instead of first building every developer tool of the project.
# shellcheck disable=SC2086  # SSTFS_PACKAGE_CMAKE_ARGS: extra words on purpose
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  ${SSTFS_PACKAGE_CMAKE_ARGS:-} -DSSTFS_BUILD_TESTS=OFF -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON \
  -DCMAKE_CXX_FLAGS="$CXXFLAGS_DEB" -DCMAKE_EXE_LINKER_FLAGS="$LDFLAGS_DEB" \
  >"$TMP/cmake.log" || { cat "$TMP/cmake.log"; fail "cmake configure failed"; }
[[ -f $BUILD/CPackConfig.cmake ]] ||
  fail "no CPackConfig.cmake in $BUILD: the root CMakeLists.txt must include packaging/Packaging.cmake"
cmake --build "$BUILD" --target sstablefs sstablefs-example ||
  fail "build failed"

say "cpack -G DEB"
rm -f "$BUILD"/sstablefs_*.deb
(cd "$BUILD" && cpack -G DEB >"$TMP/cpack.log" 2>&1) ||
  { cat "$TMP/cpack.log"; fail "cpack -G DEB failed"; }
DEBS=("$BUILD"/sstablefs_*.deb)
[[ ${#DEBS[@]} == 1 && -f ${DEBS[0]} ]] || fail "expected one sstablefs_*.deb in $BUILD, found: ${DEBS[*]}"
DEB=${DEBS[0]}
echo "$DEB"

# --- 2. what the package holds ---------------------------------------------------
say "control fields"
dpkg-deb -I "$DEB"
VERSION=$(sed -n 's/^project(sstablefs VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")
[[ -n $VERSION ]] || fail "cannot read the project version from CMakeLists.txt"
[[ $(dpkg-deb -f "$DEB" Package) == sstablefs ]] || fail "Package field is not sstablefs"
[[ $(dpkg-deb -f "$DEB" Version) == "$VERSION"-* ]] || fail "Version field is not $VERSION-*"
DEPENDS=$(dpkg-deb -f "$DEB" Depends)
for dep in fuse3 libfuse3-3 liblz4-1 libzstd1 libc6; do
  grep -Eq "(^|, )$dep( |,|$)" <<<"$DEPENDS" || fail "Depends lacks $dep: $DEPENDS"
done

say "file list (exactly the program, mount helper, man pages, completion, docs)"
dpkg-deb -c "$DEB" >"$TMP/contents"
cat "$TMP/contents"
awk '$1 !~ /^d/ {print $6}' "$TMP/contents" | sed 's|^\./|/|' | sort >"$TMP/files"
{
  echo /usr/bin/sstablefs
  echo /usr/sbin/mount.fuse.sstablefs
  echo /usr/share/bash-completion/completions/sstablefs
  echo /usr/share/doc/sstablefs/README.md
  echo /usr/share/doc/sstablefs/changelog.Debian.gz
  echo /usr/share/doc/sstablefs/copyright
  echo /usr/share/man/man8/mount.fuse.sstablefs.8.gz
  for page in "$ROOT"/man/*.[1-9]; do
    echo "/usr/share/man/man${page##*.}/$(basename "$page").gz"
  done
} | sort >"$TMP/want"
diff -u "$TMP/want" "$TMP/files" || fail "the package holds other files than expected (diff above: - expected, + found)"
grep -q '\./usr/sbin/mount.fuse.sstablefs -> mount.fuse3$' "$TMP/contents" ||
  fail "/usr/sbin/mount.fuse.sstablefs is not a symlink to mount.fuse3"
dpkg -L fuse3 | grep -qx '/usr/sbin/mount.fuse3\|/sbin/mount.fuse3' ||
  fail "fuse3 ships no mount.fuse3: the mount helper symlink would dangle"

if command -v lintian >/dev/null; then
  say "lintian (errors fail; warnings are listed in packaging/README)"
  lintian --fail-on error --info "$DEB" || fail "lintian reports errors"
elif [[ ${CI:-} == true ]]; then
  fail "lintian not installed (CI=true: apt-get install lintian)"
else
  skip "lintian not installed (apt-get install lintian); package not linted"
fi

if command -v rpmbuild >/dev/null; then
  say "cpack -G RPM"
  (cd "$BUILD" && cpack -G RPM >"$TMP/cpack-rpm.log" 2>&1) ||
    { cat "$TMP/cpack-rpm.log"; fail "cpack -G RPM failed"; }
  RPMS=("$BUILD"/sstablefs-*.rpm)
  rpm -qlp "${RPMS[0]}" | sort >"$TMP/rpm-files"
  cat "$TMP/rpm-files"
  grep -qx /usr/bin/sstablefs "$TMP/rpm-files" || fail "RPM lacks /usr/bin/sstablefs"
  grep -qx /usr/sbin/mount.fuse.sstablefs "$TMP/rpm-files" || fail "RPM lacks the mount helper"
  grep -qx /usr/share/licenses/sstablefs/LICENSE "$TMP/rpm-files" || fail "RPM lacks the licence"
  rpm -qp --requires "${RPMS[0]}" | grep -qx 'fuse3' || fail "RPM does not require fuse3"
else
  skip "rpmbuild not installed; RPM not built"
fi

# --- 3. install and use ----------------------------------------------------------
say "dpkg -i"
INSTALLED=1
dpkg -i "$DEB" || fail "dpkg -i failed (missing dependencies? apt-get install fuse3 and the libraries listed in Depends)"
dpkg-query -W -f='${Status}\n' sstablefs | grep -qx 'install ok installed' || fail "not installed"
[[ $(command -v sstablefs) == /usr/bin/sstablefs ]] ||
  fail "sstablefs in PATH is $(command -v sstablefs), not /usr/bin/sstablefs"

say "sstablefs --version"
/usr/bin/sstablefs --version | tee "$TMP/version"
grep -q "^sstablefs $VERSION\$" "$TMP/version" || fail "--version does not print 'sstablefs $VERSION'"

say "dump and verify on example data"
EXAMPLE_TOOL=${SSTFS_EXAMPLE_TOOL:-$BUILD/tools/sstablefs-example}
"$EXAMPLE_TOOL" "$TMP/example" >/dev/null || fail "$EXAMPLE_TOOL failed"
DATA=$(find "$TMP/example" -name '*-big-Data.db' | sort | head -n 1)
[[ -n $DATA ]] || fail "sstablefs-example wrote no Data.db"
/usr/bin/sstablefs dump "$DATA" >"$TMP/dump.json" || fail "dump $DATA failed"
python3 - "$TMP/dump.json" <<'EOF' || fail "dump output is not a non-empty JSON array of partitions"
import json, sys
doc = json.load(open(sys.argv[1]))
assert isinstance(doc, list) and doc and "partition" in doc[0], doc[:1]
EOF
/usr/bin/sstablefs verify "$TMP/example" || fail "verify of the example data failed (exit $?)"

CORPUS=${SSTABLEFS_CORPUS:-$ROOT/../shared/corpus}
if [[ -f $CORPUS/expected.json ]]; then
  say "dump and verify on corpus data"
  SET=$CORPUS/scylla-misc/wrong_range_tombstone_order
  /usr/bin/sstablefs verify "$SET" || fail "verify $SET failed"
  CDATA=$(find "$SET" -name 'me-1-big-Data.db' | head -n 1)
  /usr/bin/sstablefs dump "$CDATA" | python3 -c 'import json,sys; assert json.load(sys.stdin)' ||
    fail "dump $CDATA failed"
  BAD=$CORPUS/scylla-3x/uncompressed/integrity_check/invalid_digest
  if [[ -d $BAD ]]; then
    rc=0
    /usr/bin/sstablefs verify "$BAD" >/dev/null 2>&1 || rc=$?
    [[ $rc == 1 ]] || fail "verify of the deliberately corrupt $BAD exited $rc, not 1"
  fi
elif [[ ${CI:-} == true ]]; then
  fail "corpus not found at $CORPUS (CI=true: required)"
else
  skip "corpus not found at $CORPUS; corpus checks not run"
fi

say "man page"
PAGE=$(man -w sstablefs) || fail "man -w sstablefs finds no page"
[[ $PAGE == /usr/share/man/man1/sstablefs.1.gz ]] || fail "man -w sstablefs gives $PAGE"
MANWIDTH=80 MANPAGER=cat man --warnings sstablefs >"$TMP/man.txt" 2>"$TMP/man.err" ||
  fail "man sstablefs failed: $(cat "$TMP/man.err")"
grep -q 'sstablefs' "$TMP/man.txt" || fail "man sstablefs shows no page"
# (man -w resolves the man8 symlink to sstablefs.1.gz.)
man -w mount.fuse.sstablefs >/dev/null ||
  fail "man -w mount.fuse.sstablefs finds no page for the mount helper"
[[ ! -s $TMP/man.err ]] || { cat "$TMP/man.err"; fail "man sstablefs warns (above)"; }

say "bash completion"
# shellcheck disable=SC2016
COMPLETED=$(bash -c 'source /usr/share/bash-completion/completions/sstablefs
  COMP_LINE="sstablefs "; COMP_POINT=${#COMP_LINE}; _sstablefs; echo "${COMPREPLY[*]}"
  COMP_LINE="sstablefs -o cache_s"; COMP_POINT=${#COMP_LINE}; _sstablefs; echo "${COMPREPLY[*]}"')
grep -q 'dump verify' <<<"$COMPLETED" || fail "completion does not offer dump/verify: $COMPLETED"
grep -q 'cache_size=' <<<"$COMPLETED" || fail "completion does not offer cache_size=: $COMPLETED"

# --- 4. mount ----------------------------------------------------------------------
if [[ ! -e /dev/fuse ]]; then
  [[ ${CI:-} == true ]] && fail "/dev/fuse missing (CI=true: the mount step is required)"
  skip "/dev/fuse missing: mount not tested"
elif ! /usr/bin/sstablefs --help 2>&1 | grep -Eq '^ *sstablefs (\[mount\] )?\[-f\]|SOURCE MOUNTPOINT'; then
  skip "sstablefs --help lists no mount usage line (the mount daemon is not built yet): mount not tested"
else
  mkdir -p "$MNT"
  say "mount -t fuse.sstablefs"
  mount -t fuse.sstablefs "$TMP/example" "$MNT" -o ro,cache_size=32M ||
    fail "mount -t fuse.sstablefs $TMP/example $MNT failed"
  MOUNTED=1
  findmnt -n -o FSTYPE "$MNT" | grep -qx 'fuse.sstablefs' ||
    fail "$MNT is not a fuse.sstablefs mount: $(findmnt -n "$MNT" || true)"
  ls -la "$MNT"
  [[ -n $(ls -A "$MNT") ]] || fail "the mount is empty"
  [[ -s $MNT/README.txt ]] || fail "$MNT/README.txt missing or empty"
  umount "$MNT" || fail "umount $MNT failed"
  MOUNTED=0

  say "mount through an fstab line (mount -T FILE)"
  printf '%s %s fuse.sstablefs ro,cache_size=32M 0 0\n' "$TMP/example" "$MNT" >"$TMP/fstab"
  mount -T "$TMP/fstab" "$MNT" || fail "mount of the fstab line '$(cat "$TMP/fstab")' failed"
  MOUNTED=1
  [[ -n $(ls -A "$MNT") ]] || fail "the fstab mount is empty"
  umount "$MNT" || fail "umount $MNT failed"
  MOUNTED=0
fi

# --- 5. remove -----------------------------------------------------------------------
say "dpkg -r"
dpkg -L sstablefs >"$TMP/installed"
dpkg -r sstablefs || fail "dpkg -r failed"
INSTALLED=0
STATUS=$(dpkg-query -W -f='${Status}' sstablefs 2>/dev/null || true)
[[ -z $STATUS || $STATUS == *not-installed* ]] || fail "after dpkg -r the package is still known as '$STATUS'"
LEFT=0
while IFS= read -r path; do
  [[ $path == /. ]] && continue
  # Folders shared with other packages (/usr/bin, ...) stay, ours must go.
  if [[ -L $path || -f $path ]]; then
    echo "left behind: $path" >&2
    LEFT=1
  fi
done <"$TMP/installed"
for dir in /usr/share/doc/sstablefs /usr/sbin/mount.fuse.sstablefs; do
  [[ ! -e $dir && ! -L $dir ]] || { echo "left behind: $dir" >&2; LEFT=1; }
done
[[ $LEFT == 0 ]] || fail "dpkg -r left files behind (above)"
if man -w sstablefs >/dev/null 2>&1; then fail "man -w sstablefs still finds a page after removal"; fi

say "package test passed: $DEB"
