#!/usr/bin/env python3
"""Real-mount tests of sstablefs (issue 5, "Tests"; SPEC §1, §2, §6).

Mounts SOURCEs with the built daemon and reads them with the tools users
have: ls -R, find, cat, grep -r, head, tail, wc, stat, jq, Python's json and
csv, cp -r, tar, rsync, sha256sum under xargs -P16. Each case prints PASS,
FAIL or SKIP with its reason; a summary ends the run.

Groups (one CTest test each, tests/mount/CMakeLists.txt):
  cli        refusals (unknown -o option, unrecognisable SOURCE), the
             daemonising form, mount -t fuse.sstablefs and an fstab line
  example    sstablefs-example data: the whole battery of tools, EROFS,
             a corrupt copy, 16 parallel readers, deleting an SSTable while
             a read is open, unmount and SIGTERM with reads in flight
  corpus     every readable corpus set as a loose table folder, the
             scylla-misc data-directory trees, the integrity_check sets
             (EIO + errors.log), the malformed sets (the daemon survives)
  generated  sstablefs-gen data directories with system_schema (timeseries,
             kitchen, narrow): the battery, and lookups of unlisted keys

Usage:
  run_mount_tests.py --sstablefs BIN [--example BIN] [--gen BIN]
                     [--corpus DIR] [--group G]... [--daemon-arg ARG]...

Exit status: 0 when every case passed, 1 when one failed, 77 (CTest's skip
code) when the environment cannot run mounts (no /dev/fuse, no fusermount3)
or, for the corpus group, the corpus is missing; under CI=true those
conditions fail instead (exit 1).

Safety: every mount is unmounted in a finally block (fusermount3 -u, then
-uz, then the daemon we started is signalled by its pid); every command runs
under a timeout, so a hung mount fails a case instead of hanging CI. SOURCEs
that a case changes are copies in a temporary folder (a strictatime tmpfs when
we may mount one, so that a read without O_NOATIME shows); the corpus and every
SOURCE are checked unchanged (sha256, mtime and atime of every file and
folder) after the run.
"""

import argparse
import errno
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mountlib import (NOW, CaseFailure, CaseSkip, Context, Mount, Results,  # noqa: E402
                      Tree, check, copy_noatime, list_noatime, check_copies, check_erofs,
                      check_files_identical, check_grep, check_layout_basics,
                      check_parallel, check_random_reads, check_rows_formats,
                      check_rows_vs_dump, check_shell_tools, compare_snapshots,
                      fail, fuse_unavailable, fusermount_unmount, have,
                      mounted_at, read_all, run, sha256_file, snapshot,
                      source_index, table_dirs, IN_CI, SKIP_CODE, SLOW)

TABLE_DIR_RE = re.compile(r"^(.+)-([0-9a-f]{32})$")


# --- SOURCE helpers -------------------------------------------------------


def source_tables(src):
    """{table folder relative to the mount root: SOURCE folder} for a data
    directory (keyspace/table-id) or a table / loose folder ("")."""
    out = {}
    entries = sorted(list_noatime(src))
    if any(os.path.isfile(os.path.join(src, e)) and e.endswith("Data.db")
           for e in entries):
        return {"": src}
    for ks in entries:
        ksp = os.path.join(src, ks)
        if not os.path.isdir(ksp):
            continue
        names = {}
        for t in sorted(list_noatime(ksp)):
            m = TABLE_DIR_RE.match(t)
            if m and os.path.isdir(os.path.join(ksp, t)):
                names.setdefault(m.group(1), []).append(t)
        for name, folders in names.items():
            for folder in folders:
                shown = name if len(folders) == 1 else folder
                out[os.path.join(ks, shown)] = os.path.join(ksp, folder)
    return out


def user_tables(src):
    """source_tables() without the system keyspaces."""
    return {t: f for t, f in source_tables(src).items()
            if not t.split(os.sep)[0].startswith("system")}


def has_sstables(folder):
    return any(f.endswith("-Data.db") for f in list_noatime(folder))


def data_files(folder):
    return sorted(os.path.join(folder, f) for f in list_noatime(folder)
                  if f.endswith("-Data.db"))


def flip_byte(path, offset=None):
    size = os.path.getsize(path)
    off = size // 2 if offset is None else offset
    with open(path, "r+b") as f:
        f.seek(off)
        b = f.read(1)
        f.seek(off)
        f.write(bytes([b[0] ^ 0xFF]))
    return off


def fresh_dir(ctx, name):
    d = os.path.join(ctx.scratch(), name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def first_value_needle(rows_jsonl):
    """A string worth grepping for: the first text value of the first row,
    else the first value's JSON text."""
    for line in rows_jsonl.decode().splitlines()[:1]:
        obj = json.loads(line)
        for v in obj.values():
            if isinstance(v, str) and len(v) >= 3 and "\n" not in v:
                return v
        for v in obj.values():
            if v is not None:
                return json.dumps(v)
    return None


# --- the battery over one mount -------------------------------------------


def battery(ctx, R, group, label, source, options=(), full=True):
    """Mounts `source` and runs the tool checks as separate cases. `full`
    adds the slower ones (shell tools, copies, grep, parallel, EROFS)."""
    tables = source_tables(source)
    opts = ["now=" + NOW] + list(options)
    holder = {}

    def mount_and_read():
        m = Mount(ctx, source, opts, name=label.replace("/", "_"))
        m.__enter__()
        holder["m"] = m
        holder["tree"] = Tree(m.mnt)
        check_layout_basics(m, holder["tree"])
        shown = set(table_dirs(m.mnt))
        want = {m.path(t) if t else m.mnt for t in tables}
        check(want <= shown, "tables missing from the mount: %s (shown: %s)"
              % (sorted(os.path.relpath(w, m.mnt) for w in want - shown),
                 sorted(os.path.relpath(s, m.mnt) for s in shown)[:10]))
        return "%d files, %d folders read" % (len(holder["tree"].files),
                                              len(holder["tree"].dirs))

    def with_tree(fn):
        def case():
            if "tree" not in holder:
                raise CaseSkip("the mount failed", required=False)
            m = holder["m"]
            if not m.alive():
                fail("the daemon died during an earlier case (exit %s): %s"
                     % (m.proc.returncode, m.log_text(600)))
            return fn(m, holder["tree"])
        return case

    try:
        if not R.run(group, label + "/mount+read", mount_and_read):
            return holder
        R.run(group, label + "/json+csv+jq", with_tree(check_rows_formats))
        R.run(group, label + "/files-sha256", with_tree(
            lambda m, t: "%d files identical" % check_files_identical(
                m, t, source_index(source))))
        for rel, folder in sorted(tables.items()):
            if not has_sstables(folder):
                continue
            R.run(group, label + "/rows-vs-dump:" + (rel or "."), with_tree(
                lambda m, t, rel=rel, folder=folder: check_rows_vs_dump(
                    ctx, m, rel, folder, data_root=source)))
        if full:
            R.run(group, label + "/ls+find+stat+head+tail+wc",
                  with_tree(check_shell_tools))
            R.run(group, label + "/random-pread", with_tree(
                check_random_reads))
            R.run(group, label + "/grep-r", with_tree(
                lambda m, t: grep_case(m, t)))
            R.run(group, label + "/cp+tar+rsync+diff", with_tree(
                lambda m, t: check_copies(m, t, ctx)))
            R.run(group, label + "/xargs-P16", with_tree(check_parallel))
            R.run(group, label + "/EROFS", with_tree(check_erofs))
    finally:
        m = holder.get("m")
        if m is not None:
            problem = m.unmount()
            if problem:
                R.run(group, label + "/unmount", lambda: fail(problem))
    return holder


def grep_case(m, tree):
    rows = [r for r in tree.files if r.endswith("rows.jsonl")
            and tree.content.get(r)]
    check(rows, "no non-empty rows.jsonl to grep")
    needle = first_value_needle(tree.content[rows[0]])
    check(needle, "no value to grep for")
    check_grep(m, tree, needle)
    return "needle %r" % needle[:40]


def unchanged_case(before, source, what):
    def case():
        problems = compare_snapshots(before, snapshot(source), what)
        check(not problems, "; ".join(problems[:8]) +
              (" (+%d more)" % (len(problems) - 8) if len(problems) > 8
               else ""))
        return "%d entries unchanged" % len(before)
    return case


# --- group: cli -----------------------------------------------------------


def refusal(ctx, args, source, want_in_err=None):
    """Runs `sstablefs ARGS SOURCE MNT`: must exit 2 without mounting."""
    mnt = tempfile.mkdtemp(prefix="refuse-", dir=ctx.mount_root)
    try:
        rc, out, err = run([ctx.sstablefs] + args + [source, mnt],
                           ok_codes=None, timeout=20)
        was_mounted = mounted_at(mnt)
        if was_mounted:
            fusermount_unmount(mnt)
        check(not was_mounted, "mounted anyway")
        text = (out + err).decode(errors="replace")
        check(rc == 2, "exit status %d, want 2: %s" % (rc, text[:300]))
        if want_in_err:
            check(want_in_err in text, "message does not name %r: %s" % (
                want_in_err, text[:300]))
        check(text.strip(), "no message")
        return text.strip().splitlines()[0][:120]
    finally:
        os.rmdir(mnt)


def group_cli(ctx, R):
    good = ctx.make_example() if ctx.example else None
    R.run("cli", "help-shows-mount-usage", lambda: check(
        b"MOUNTPOINT" in run([ctx.sstablefs, "--help"])[1],
        "sstablefs --help does not show the mount usage"))

    def unknown_option():
        if good is None:
            raise CaseSkip("no sstablefs-example to make a valid SOURCE")
        return refusal(ctx, ["-o", "no_such_option=1"], good,
                       "no_such_option")
    R.run("cli", "refuses-unknown-option", unknown_option)

    def unrecognisable():
        empty = fresh_dir(ctx, "empty-source")
        msg1 = refusal(ctx, [], empty)
        junk = fresh_dir(ctx, "junk-source")
        with open(os.path.join(junk, "notes.txt"), "w") as f:
            f.write("not an SSTable\n")
        os.makedirs(os.path.join(junk, "photos"))
        refusal(ctx, [], junk)
        refusal(ctx, [], os.path.join(junk, "does-not-exist"))
        return msg1
    R.run("cli", "refuses-unrecognisable-source", unrecognisable)

    reason = fuse_unavailable()
    if reason:
        return reason
    if good is None:
        R.run("cli", "mount-cases", lambda: (_ for _ in ()).throw(
            CaseSkip("sstablefs-example not built")))
        return None

    R.run("cli", "daemonises-and-unmounts", lambda: daemonised(ctx, good))
    R.run("cli", "mount-t-fuse.sstablefs", lambda: mount_t(ctx, good, False))
    R.run("cli", "fstab-line", lambda: mount_t(ctx, good, True))
    return None


def daemon_pids(mnt):
    """pids of processes whose command line names `mnt` (our daemons)."""
    pids = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % p, "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if mnt.encode() in args and int(p) != os.getpid():
            pids.append(int(p))
    return pids


def wait_gone(mnt, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not daemon_pids(mnt):
            return True
        time.sleep(0.05)
    return False


def kill_daemons(mnt):
    for pid in daemon_pids(mnt):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def daemonised(ctx, source):
    """`sstablefs SOURCE MNT` (no -f) returns once mounted; fusermount3 -u
    ends the daemon."""
    mnt = tempfile.mkdtemp(prefix="bg-", dir=ctx.mount_root)
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(ctx.tmp, "xdg-cache"))
    try:
        run([ctx.sstablefs, source, mnt], timeout=20, env=env)
        check(mounted_at(mnt), "exit 0 but %s is not mounted" % mnt)
        check(os.path.isfile(os.path.join(mnt, "README.txt")),
              "no README.txt")
        run(["fusermount3", "-u", mnt], timeout=10)
        check(wait_gone(mnt, 10), "daemon still running 10 s after unmount")
    finally:
        fusermount_unmount(mnt)
        kill_daemons(mnt)
        os.rmdir(mnt)


def mount_helper():
    for p in ("/sbin/mount.fuse.sstablefs", "/usr/sbin/mount.fuse.sstablefs",
              "/sbin/mount.fuse3", "/usr/sbin/mount.fuse3", "/sbin/mount.fuse",
              "/usr/sbin/mount.fuse"):
        if os.path.exists(p):
            return p
    return None


SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def installed_binary(ctx):
    """True when the `sstablefs` that mount.fuse3 finds (it runs the program
    through /bin/sh with mount(8)'s sanitised environment, hence the system
    PATH) is the binary under test."""
    for d in SYSTEM_PATH.split(":"):
        p = os.path.join(d, "sstablefs")
        if os.path.isfile(p):
            return sha256_file(p) == sha256_file(ctx.sstablefs)
    return False


def mount_t(ctx, source, fstab):
    """mount -t fuse.sstablefs SRC MNT -o ro,... (mount(8) runs
    mount.fuse.sstablefs or mount.fuse3, which runs `sstablefs` from the
    system PATH), or the same through an fstab line (mount -T FILE MNT).
    When the binary under test is not installed there, mount.fuse3's
    "PROGRAM#SOURCE" form (type fuse) runs it by absolute path instead."""
    helper = mount_helper()
    if helper is None or not have("mount"):
        raise CaseSkip("no mount(8) or mount.fuse3 / mount.fuse.sstablefs "
                       "helper", required=False)
    if os.geteuid() != 0:
        raise CaseSkip("mount(8) of a fuse type needs root here",
                       required=False)
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(ctx.tmp, "xdg-cache"))
    mnt = tempfile.mkdtemp(prefix="mt-", dir=ctx.mount_root)
    opts = "ro,allow_other,cache_size=128M"
    if installed_binary(ctx):
        fstype, spec, note = "fuse.sstablefs", source, ""
    else:
        fstype, spec = "fuse", ctx.sstablefs + "#" + source
        note = ("; the installed sstablefs is not this build, so type fuse "
                "with PROGRAM#SOURCE was used (install to test "
                "fuse.sstablefs by name)")
    try:
        if fstab:
            tab = os.path.join(ctx.tmp, "fstab")
            with open(tab, "w") as f:
                f.write("%s %s %s %s 0 0\n" % (spec, mnt, fstype, opts))
            cmd = ["mount", "-T", tab, mnt]
        else:
            cmd = ["mount", "-t", fstype, spec, mnt, "-o", opts]
        rc, out, err = run(cmd, timeout=20, env=env, ok_codes=None)
        check(rc == 0, "%s exited %d: %s" % (" ".join(cmd), rc,
                                             (out + err).decode()[:400]))
        check(mounted_at(mnt), "not mounted")
        with open("/proc/self/mountinfo") as f:
            line = next(ln for ln in f if " %s " % mnt in ln)
        check(" fuse" in line, "mount type is not fuse: " + line.strip())
        tree = Tree(mnt)
        check(any(r.endswith("rows.jsonl") for r in tree.files),
              "no rows.jsonl in the mount")
        expect = errno.EROFS
        try:
            os.open(os.path.join(mnt, "README.txt"), os.O_WRONLY)
            fail("README.txt opened for writing")
        except OSError as e:
            check(e.errno == expect, "write open: %s" % e)
        rc, out, err = run(["umount", mnt], timeout=10, ok_codes=None)
        check(rc == 0, "umount exited %d: %s" % (rc, err.decode()[:200]))
        check(wait_gone(mnt, 10), "daemon still running 10 s after umount")
        return "via %s, type %s%s" % (helper, fstype, note)
    finally:
        fusermount_unmount(mnt)
        kill_daemons(mnt)
        os.rmdir(mnt)


# --- group: example -------------------------------------------------------


def group_example(ctx, R):
    if not ctx.example:
        R.run("example", "data", lambda: (_ for _ in ()).throw(
            CaseSkip("sstablefs-example not built")))
        return None
    reason = fuse_unavailable()
    if reason:
        return reason
    src = ctx.make_example()
    ctx.register_source(src)
    before = snapshot(src)
    cache_dir = os.path.join(ctx.tmp, "cache-example")
    battery(ctx, R, "example", "example", src,
            options=["cache_dir=" + cache_dir])
    R.run("example", "cache_dir-used-and-remount-identical",
          lambda: remount_identical(ctx, src, cache_dir))
    R.run("example", "corrupt-copy-EIO", lambda: corrupt_copy(ctx, src))
    R.run("example", "delete-sstable-while-open",
          lambda: delete_while_open(ctx, src))
    R.run("example", "unmount-with-reads-in-flight",
          lambda: unmount_in_flight(ctx, src, "fusermount"))
    R.run("example", "SIGTERM-with-reads-in-flight",
          lambda: unmount_in_flight(ctx, src, "sigterm"))
    R.run("example", "SOURCE-unchanged", unchanged_case(before, src,
                                                        "example SOURCE"))
    return None


def remount_identical(ctx, src, cache_dir):
    """A second mount (sizes now from cache_dir) serves the same bytes and
    sizes; cache_dir holds files, SOURCE none (checked by SOURCE-unchanged)."""
    check(os.path.isdir(cache_dir) and any(os.scandir(cache_dir)),
          "cache_dir %s is empty after a mount" % cache_dir)
    with Mount(ctx, src, ["now=" + NOW, "cache_dir=" + cache_dir]) as m1:
        t1 = Tree(m1.mnt)
        sizes1 = {r: os.stat(m1.path(r)).st_size for r in t1.files}
    with Mount(ctx, src, ["now=" + NOW, "cache_dir=" + cache_dir]) as m2:
        sizes2 = {r: os.stat(m2.path(r)).st_size for r in t1.files}
        t2 = Tree(m2.mnt)
    for r in t1.files:
        if r.startswith(".sstablefs"):
            continue
        check(t1.sha[r] == t2.sha.get(r), "%s differs across remount" % r)
        check(sizes1[r] == sizes2[r], "%s size differs across remount" % r)
    # An unwritable cache_dir: the mount still works (SPEC §2).
    ro = os.path.join(ctx.tmp, "ro-cache")
    os.makedirs(ro, exist_ok=True)
    os.chmod(ro, 0o555)
    with Mount(ctx, src, ["now=" + NOW, "cache_dir=" + ro]) as m3:
        t3 = Tree(m3.mnt)
        for r in t1.files:
            if not r.startswith(".sstablefs"):
                check(t1.sha[r] == t3.sha.get(r),
                      "%s differs with an unwritable cache_dir" % r)
    return "%d files" % len(t1.files)


def corrupt_copy(ctx, src):
    """A copy of the example table with a flipped byte in Data.db, beside an
    intact copy: rows of the damaged table give EIO and a line in
    errors.log; the intact table, files/, metadata.json and schema.cql of the
    damaged one stay readable."""
    rel, folder = next(iter(sorted(user_tables(src).items())))
    ks = rel.split(os.sep)[0]
    root = fresh_dir(ctx, "corrupt")
    tid = os.path.basename(folder).rsplit("-", 1)[1]
    bad = os.path.join(root, ks, "damaged_readings-" + tid)
    good = os.path.join(root, ks, "intact_readings-" + "f" * 32)
    copy_noatime(folder, bad)
    copy_noatime(folder, good)
    data = data_files(bad)[0]
    off = flip_byte(data)
    with Mount(ctx, root, ["now=" + NOW]) as m:
        return check_damaged_table(m, os.path.join(ks, "damaged_readings"),
                                   os.path.join(ks, "intact_readings"),
                                   "flipped byte at %d of %s" % (
                                       off, os.path.basename(data)))


def check_damaged_table(m, bad_rel, good_rel, what):
    eio = []
    for name in ("rows.jsonl", "rows.csv"):
        try:
            read_all(m.path(bad_rel, name))
        except OSError as e:
            check(e.errno == errno.EIO, "%s: errno %s, want EIO" % (
                name, errno.errorcode.get(e.errno)))
            eio.append(name)
    check(eio, "rows.jsonl/rows.csv of the damaged table read without "
          "error (%s)" % what)
    rc, _, err = run(["cat", m.path(bad_rel, "rows.jsonl")], ok_codes=None)
    check(rc != 0 and b"Input/output error" in err,
          "cat of damaged rows.jsonl: exit %d, %s" % (rc, err[:200]))
    log = read_all(m.path(".sstablefs/errors.log")).decode()
    check(log.strip(), "errors.log is empty after EIO")
    check("Data.db" in log, "errors.log does not name Data.db: %s" % log[:300])
    # The rest keeps working.
    read_all(m.path(bad_rel, "schema.cql"))
    sst = os.listdir(m.path(bad_rel, "sstables"))
    check(sst, "no sstables/ entry")
    for d in sst:
        read_all(m.path(bad_rel, "sstables", d, "metadata.json"))
        verdict = read_all(m.path(bad_rel, "sstables", d, "verify.txt"))
        check(verdict.strip(), "empty verify.txt")
        for f in os.listdir(m.path(bad_rel, "sstables", d, "files")):
            read_all(m.path(bad_rel, "sstables", d, "files", f))
    if good_rel:
        for name in ("rows.jsonl", "rows.csv", "schema.cql"):
            read_all(m.path(good_rel, name))
    status = json.loads(read_all(m.path(".sstablefs/status.json")))
    check(status, "status.json empty")
    return "%s; %s -> EIO; errors.log: %s" % (what, "+".join(eio),
                                             log.strip().splitlines()[0][:120])


def delete_while_open(ctx, src):
    """Deleting an SSTable from SOURCE (compaction on a live node) does not
    break reads already open (SPEC §2, issue 5 item 6)."""
    rel, folder = next(iter(sorted(user_tables(src).items())))
    root = fresh_dir(ctx, "delete")
    copy_noatime(src, root)
    copy_folder = os.path.join(root, os.path.relpath(folder, src))
    with Mount(ctx, src, ["now=" + NOW]) as ref:
        want_rows = read_all(ref.path(rel, "rows.jsonl"))
    data = data_files(copy_folder)[0]
    want_data = read_all(data)
    prefix = os.path.basename(data)[:-len("Data.db")]
    with Mount(ctx, root, ["now=" + NOW]) as m:
        files_data = next(
            (m.path(rel, "sstables", d, "files", os.path.basename(data))
             for d in sorted(os.listdir(m.path(rel, "sstables")))
             if os.path.exists(m.path(rel, "sstables", d, "files",
                                      os.path.basename(data)))), None)
        check(files_data, "no sstables/*/files/%s" % os.path.basename(data))
        f1 = open(m.path(rel, "rows.jsonl"), "rb", buffering=0)
        f2 = open(files_data, "rb", buffering=0)
        try:
            head1, head2 = f1.read(1), f2.read(1)
            for name in os.listdir(copy_folder):
                if name.startswith(prefix):
                    os.unlink(os.path.join(copy_folder, name))
            got_rows = head1 + read_rest(f1)
            got_data = head2 + read_rest(f2)
        finally:
            f1.close()
            f2.close()
        check(got_rows == want_rows, "rows.jsonl read across the deletion "
              "differs (%d bytes, want %d)" % (len(got_rows), len(want_rows)))
        check(got_data == want_data, "files/%s read across the deletion "
              "differs" % os.path.basename(data))
        run(["ls", "-R", m.mnt], ok_codes=None)  # must not hang or kill it
        check(m.alive(), "daemon died after the deletion")
    return "read %d + %d bytes after deleting %s*" % (
        len(got_rows), len(got_data), prefix)


def read_rest(f):
    parts = []
    while True:
        b = f.read(1 << 16)
        if not b:
            return b"".join(parts)
        parts.append(b)


READER = r"""
import sys, time
end = time.time() + float(sys.argv[1])
ok = errs = 0
while time.time() < end:
    for p in sys.argv[2:]:
        try:
            with open(p, "rb") as f:
                while f.read(65536):
                    pass
            ok += 1
        except OSError:
            errs += 1
            time.sleep(0.01)
print(ok, errs)
"""


def unmount_in_flight(ctx, src, how):
    """Readers loop over the mount's files while it is unmounted
    (fusermount3 -u, then -uz) or the daemon gets SIGTERM: nothing hangs,
    the daemon exits, the mount point is released."""
    m = Mount(ctx, src, ["now=" + NOW]).__enter__()
    try:
        tree_files = [m.path(r) for r in Tree(m.mnt).files
                      if not r.startswith(".sstablefs")]
        readers = [subprocess.Popen(
            [sys.executable, "-c", READER, "3"] + tree_files,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True) for _ in range(4)]
        time.sleep(0.5)
        t0 = time.monotonic()
        if how == "sigterm":
            m.proc.send_signal(signal.SIGTERM)
            try:
                m.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                fail("daemon did not exit within 10 s of SIGTERM")
            check(m.proc.returncode == 0, "daemon exited %d on SIGTERM: %s"
                  % (m.proc.returncode, m.log_text()))
            left = mounted_at(m.mnt)
            check(not left, "daemon exited but left %s mounted" % m.mnt)
        else:
            run(["fusermount3", "-u", m.mnt], ok_codes=None, timeout=10)
            if mounted_at(m.mnt):
                run(["fusermount3", "-uz", m.mnt], timeout=10)
            check(not mounted_at(m.mnt), "still mounted after -uz")
        for r in readers:
            try:
                r.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                for rr in readers:
                    os.killpg(rr.pid, signal.SIGKILL)
                fail("a reader hung after the unmount")
        if how != "sigterm":
            try:
                m.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                fail("daemon still running 15 s after the lazy unmount")
        return "readers and daemon done in %.1f s" % (time.monotonic() - t0)
    finally:
        m.unmount()  # idempotent; the checks above judged the unmount


# --- group: corpus --------------------------------------------------------


FULL_BATTERY_SETS = (
    "cassandra-legacy/nb/legacy_tables/legacy_nb_clust",
    "scylla-3x/uncompressed/collections",
    "scylla-3x/lz4/partition_key_with_values_of_different_types",
)
TREE_SETS = (
    "scylla-misc/cassandra_static_compact",
    "scylla-misc/multi_schema_test",
    "scylla-misc/wrong_range_tombstone_order",
)


def corpus_sets(corpus):
    with open(os.path.join(corpus, "expected.json")) as f:
        return json.load(f)


def group_corpus(ctx, R):
    corpus = ctx.corpus
    if not corpus or not os.path.isfile(os.path.join(corpus,
                                                     "expected.json")):
        return "corpus not found at %s (set SSTABLEFS_CORPUS)" % corpus
    reason = fuse_unavailable()
    if reason:
        return reason
    before = snapshot(corpus)
    ctx.register_source(corpus)
    sets = corpus_sets(corpus)
    readable = [s for s in sets if not (s.get("incomplete") or
                                        s.get("deliberately_corrupt") or
                                        s.get("malformed"))]
    for s in readable:
        path = s["path"]
        src = os.path.join(corpus, path)
        if path in FULL_BATTERY_SETS:
            battery(ctx, R, "corpus", path, src)
        else:
            R.run("corpus", path, lambda s=s, src=src: corpus_set(ctx, s,
                                                                  src))
    for t in TREE_SETS:
        battery(ctx, R, "corpus", t + " (data dir)", os.path.join(corpus, t),
                full=(t == TREE_SETS[0]))
    for s in sets:
        if s.get("deliberately_corrupt"):
            R.run("corpus", "damaged:" + s["path"],
                  lambda s=s: corpus_damaged(ctx, s))
    for s in sets:
        if s.get("malformed") or s.get("incomplete"):
            R.run("corpus", "survives:" + s["path"],
                  lambda s=s: corpus_survives(ctx, s))
    R.run("corpus", "corpus-unchanged", unchanged_case(before, corpus,
                                                        "corpus"))
    return None


def corpus_set(ctx, s, src):
    """One readable set as a loose table folder: layout, sizes, JSON/CSV,
    files/ byte-identical, rows.jsonl == dump --rows, partition count."""
    with Mount(ctx, src, ["now=" + NOW], name="set") as m:
        tree = Tree(m.mnt)
        check_layout_basics(m, tree)
        for rel in tree.files:
            if rel.startswith(".sstablefs"):
                continue
            st = os.stat(m.path(rel))
            check(st.st_size == tree.size[rel], "%s: stat %d, cat %d" % (
                rel, st.st_size, tree.size[rel]))
        check_rows_formats(m, tree)
        n = check_files_identical(m, tree, source_index(src))
        note = check_rows_vs_dump(ctx, m, "", src)
        listed = os.listdir(m.path("partitions"))
        want = s.get("partitions")
        if want is not None:
            check(len(listed) == want, "partitions/ lists %d, expected.json "
                  "says %d" % (len(listed), want))
            pcsv = read_all(m.path("partitions.csv")).decode().splitlines()
            check(len(pcsv) - 1 == want, "partitions.csv has %d lines, want "
                  "%d + header" % (len(pcsv), want))
        return "%d files, %d files/ identical%s" % (
            len(tree.files), n, "; " + note if note else "")


def corpus_damaged(ctx, s):
    src = os.path.join(ctx.corpus, s["path"])
    with Mount(ctx, src, ["now=" + NOW], name="damaged") as m:
        if "invalid_digest" in s["path"]:
            # Chunks are intact: rows read; the verdict names the digest.
            read_all(m.path("rows.jsonl"))
            verdicts = [read_all(m.path("sstables", d, "verify.txt")).decode()
                        for d in os.listdir(m.path("sstables"))]
            check(any("digest" in v.lower() for v in verdicts),
                  "no verify.txt names the digest mismatch: %s" %
                  verdicts[0][:200])
            return "verify.txt: " + verdicts[0].strip().splitlines()[0][:100]
        return check_damaged_table(m, "", None, s["path"])


def corpus_survives(ctx, s):
    """Malformed/incomplete sets: the mount is refused with a message (exit
    2) or mounts; every file then reads or fails with EIO/ENOENT, and the
    daemon keeps running (it never exits on bad data)."""
    src = os.path.join(ctx.corpus, s["path"])
    m = Mount(ctx, src, ["now=" + NOW], name="bad")
    try:
        m.__enter__()
    except CaseFailure as e:
        check(m.proc.returncode == 2, "refused with exit %s, want 2: %s" % (
            m.proc.returncode, e))
        return "refused: " + m.log_text().splitlines()[0][:100]
    try:
        errs = 0
        for dirpath, dirnames, filenames in os.walk(m.mnt):
            for f in filenames:
                try:
                    read_all(os.path.join(dirpath, f))
                except OSError as e:
                    check(e.errno in (errno.EIO, errno.ENOENT),
                          "%s: %s" % (f, e))
                    errs += 1
            check(m.alive(), "daemon exited while reading %s" % dirpath)
        if errs:
            log = read_all(m.path(".sstablefs/errors.log")).decode()
            check(log.strip(), "%d EIO but errors.log is empty" % errs)
        return "%d files failed with EIO" % errs
    finally:
        problem = m.unmount()
        if problem:
            fail(problem)


# --- group: generated -----------------------------------------------------


GEN_PRESETS = (("timeseries", "2M"), ("kitchen", "1M"), ("narrow", "2M"))
if SLOW > 1:
    # Under ASan the same cases on half the data keep the group in minutes.
    GEN_PRESETS = (("timeseries", "1M"), ("kitchen", "1M"), ("narrow", "1M"))
SNAPSHOT = "before-upgrade"


def generate(ctx, preset, size):
    out = fresh_dir(ctx, "gen-" + preset)
    run([ctx.gen, "--preset", preset, "--size", size, "--seed", "7",
         "--snapshot", SNAPSHOT, "--quiet", out], timeout=120)
    data = os.path.join(out, "data")
    check(os.path.isdir(os.path.join(data, "system_schema")),
          "%s has no system_schema" % data)
    return out, data


def group_generated(ctx, R):
    if not ctx.gen:
        R.run("generated", "data", lambda: (_ for _ in ()).throw(
            CaseSkip("sstablefs-gen not built")))
        return None
    reason = fuse_unavailable()
    if reason:
        return reason
    for preset, size in GEN_PRESETS:
        holder = {}

        def gen(preset=preset, size=size):
            holder["out"], holder["data"] = generate(ctx, preset, size)
            ctx.register_source(holder["data"])
            holder["before"] = snapshot(holder["data"])
            return "%s --size %s: %d files" % (preset, size,
                                               len(holder["before"]))
        if not R.run("generated", preset + "/generate", gen):
            continue
        data = holder["data"]
        full = preset != "narrow"
        battery(ctx, R, "generated", preset, data, full=full)
        R.run("generated", preset + "/schema-from-system_schema",
              lambda data=data: schema_from_system_schema(ctx, data))
        if preset in ("narrow", "timeseries"):
            R.run("generated", preset + "/lookup-unlisted-keys",
                  lambda data=data: lookup_keys(ctx, data))
        if preset == "timeseries":
            R.run("generated", "timeseries/corrupt-copy-EIO",
                  lambda data=data: corrupt_generated(ctx, data))
            R.run("generated", "timeseries/delete-sstable-while-open",
                  lambda data=data: delete_while_open(ctx, data))
        if preset == "kitchen":
            R.run("generated", "kitchen/snapshot-as-SOURCE",
                  lambda data=data: snapshot_source(ctx, data))
        R.run("generated", preset + "/SOURCE-unchanged", unchanged_case(
            holder["before"], data, preset + " SOURCE"))
    return None


def schema_from_system_schema(ctx, data):
    """With system_schema in SOURCE, schema.cql says so and rows.jsonl uses
    real key names (SPEC §5)."""
    with Mount(ctx, data, ["now=" + NOW], name="schema") as m:
        tables = sorted(user_tables(data))
        check(tables, "no user table")
        for t in tables:
            cql = read_all(m.path(t, "schema.cql")).decode()
            check("CREATE TABLE" in cql, "%s/schema.cql has no CREATE TABLE"
                  % t)
            check("system_schema" in cql.split("\n", 1)[0],
                  "%s/schema.cql does not say it comes from system_schema: "
                  "%s" % (t, cql.split("\n", 1)[0]))
            rows = read_all(m.path(t, "rows.jsonl")).decode()
            if rows:
                keys = list(json.loads(rows.split("\n", 1)[0]))
                check("key" not in keys and "clustering" not in keys,
                      "%s: placeholder column names %s" % (t, keys[:4]))
        return "%d tables" % len(tables)


def snapshot_source(ctx, data):
    """A snapshots/<name> folder as SOURCE shows the table's entries at the
    root, names its columns from the snapshot's schema.cql, and serves the
    rows the data-directory mount shows under snapshots/<name>/."""
    rel, folder = sorted(user_tables(data).items())[0]
    snap = os.path.join(folder, "snapshots", SNAPSHOT)
    check(os.path.isdir(snap), "sstablefs-gen wrote no %s" % snap)
    with Mount(ctx, data, ["now=" + NOW], name="snapdd") as m:
        want = read_all(m.path(rel, "snapshots", SNAPSHOT, "rows.jsonl"))
        live = read_all(m.path(rel, "rows.jsonl"))
    with Mount(ctx, snap, ["now=" + NOW], name="snap") as m:
        got = read_all(m.path("rows.jsonl"))
        cql = read_all(m.path("schema.cql")).decode()
        tree = Tree(m.mnt)
        check_rows_formats(m, tree)
    check(got == want, "rows.jsonl of the snapshot mount (%d bytes) != "
          "snapshots/%s/rows.jsonl of the data directory mount (%d bytes)"
          % (len(got), SNAPSHOT, len(want)))
    check(want == live, "the snapshot taken after the last write shows "
          "other rows than the table")
    first = cql.split("\n", 1)[0]
    check("key1" not in cql.split("PRIMARY KEY")[-1] and "header" not in
          first.lower(), "snapshot schema.cql falls back to the SSTable "
          "headers: %s" % first)
    return "%d bytes of rows; schema.cql: %s" % (len(got), first[:60])


def escape_component(text):
    """SPEC §4 escaping of one key component given as text."""
    out = []
    for i, ch in enumerate(text):
        if ch in "/%:" or ord(ch) < 0x20 or ord(ch) == 0x7f or (
                i == 0 and ch in ".~"):
            out.append("".join("%%%02X" % b for b in ch.encode()))
        else:
            out.append(ch)
    return "".join(out)


def partition_name(components):
    """The folder name of a key given as `dump -e` prints it (a list of
    component texts); None when it would take the long-name form."""
    name = ":".join(escape_component(str(c)) for c in components)
    if name.startswith("."):
        name = "%2E" + name[1:]
    return name if 0 < len(name.encode()) <= 255 else None


def same_key(row, components):
    """The first members of a rows.jsonl object are the key components."""
    values = list(row.values())[:len(components)]
    for v, c in zip(values, components):
        if isinstance(v, bool) or not isinstance(v, (str, int)):
            continue
        if str(v) != str(c):
            return False
    return True


def lookup_keys(ctx, data):
    """Keys of the narrow preset, looked up by name on a fresh mount without
    listing partitions/ first: found, rows belong to the key; absent keys
    give ENOENT."""
    rel, folder = sorted(user_tables(data).items())[0]
    keys = []
    for d in data_files(ctx.tool_path(folder)):
        _, out, _ = run([ctx.sstablefs, "dump", ctx.tool_path(d), "-e"],
                        timeout=120)
        keys += [k if isinstance(k, list) else [k] for k in json.loads(out)]
    check(keys, "no keys in %s" % folder)
    rnd = random.Random(11)
    sample = rnd.sample(keys, min(200, len(keys)))
    lat = []
    with Mount(ctx, data, ["now=" + NOW], name="lookup") as m:
        for k in sample:
            name = partition_name(k)
            if name is None:
                continue
            p = m.path(rel, "partitions", name)
            t0 = time.monotonic()
            found = os.path.isdir(p)
            lat.append(time.monotonic() - t0)
            check(found, "partitions/%s is not found" % name)
            rows = read_all(os.path.join(p, "rows.jsonl"))
            for line in rows.decode().splitlines():
                check(same_key(json.loads(line), k), "partitions/%s/"
                      "rows.jsonl has a row of another key: %s" % (
                          name, line[:200]))
        absent = 0
        present = {partition_name(k) for k in keys}
        for i in range(50):
            cand = [c for c in keys[0]]
            first = str(cand[0])
            cand[0] = (str(10 ** 12 + i) if first.lstrip("-").isdigit()
                       else "absent-key-%d-%d" % (i, rnd.randrange(10 ** 9)))
            name = partition_name(cand)
            if name is None or name in present:
                continue
            try:
                os.stat(m.path(rel, "partitions", name))
                fail("absent key %s resolves" % name)
            except FileNotFoundError:
                absent += 1
        check(absent, "no absent key could be tried")
        rc, _, err = run(["cat", m.path(rel, "partitions", "absent-key-x",
                                        "rows.jsonl")], ok_codes=None)
        check(rc != 0 and b"No such file" in err, "cat of an absent key: %s"
              % err[:200])
    check(lat, "no key could be looked up")
    lat.sort()
    p50 = statistics.median(lat) * 1000
    worst = lat[-1] * 1000
    check(p50 < 20, "median lookup %.1f ms (want < 20 ms)" % p50)
    return "%d keys of %d: p50 %.2f ms, max %.1f ms; %d absent -> ENOENT" % (
        len(lat), len(keys), p50, worst, absent)


def corrupt_generated(ctx, data):
    """A /tmp copy of a generated table with a flipped byte in a Data.db
    chunk: EIO on its rows, other tables readable, a line in errors.log."""
    tables = user_tables(data)
    root = fresh_dir(ctx, "gen-corrupt")
    copy_noatime(data, root)
    rel = sorted(tables)[0]
    folder = os.path.join(root, os.path.relpath(tables[rel], data))
    d = data_files(folder)[0]
    off = flip_byte(d)
    others = [t for t in sorted(tables) if t != rel]
    with Mount(ctx, root, ["now=" + NOW], name="gencorrupt") as m:
        return check_damaged_table(m, rel, others[0] if others else None,
                                   "flipped byte at %d of %s" % (
                                       off, os.path.basename(d)))


# --- main -----------------------------------------------------------------


GROUPS = (("cli", group_cli), ("example", group_example),
          ("corpus", group_corpus), ("generated", group_generated))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sstablefs", required=True)
    ap.add_argument("--example")
    ap.add_argument("--gen")
    ap.add_argument("--corpus", default=os.environ.get("SSTABLEFS_CORPUS"))
    ap.add_argument("--corpus-default")
    ap.add_argument("--group", action="append",
                    choices=[g for g, _ in GROUPS])
    ap.add_argument("--daemon-arg", action="append", metavar="ARG",
                    help="extra argument for every `sstablefs -f` mount "
                    "(diagnosis, e.g. -s for a single-threaded daemon)")
    args = ap.parse_args()
    if not args.corpus:
        args.corpus = args.corpus_default
    chosen = args.group or [g for g, _ in GROUPS]

    ctx = Context(args)
    R = Results()

    def on_signal(signum, frame):
        ctx.close()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    skipped = []
    t0 = time.monotonic()
    try:
        for name, fn in GROUPS:
            if name in chosen:
                reason = fn(ctx, R)
                if reason:
                    print("SKIP %s: %s" % (name, reason), flush=True)
                    skipped.append("%s: %s" % (name, reason))
    finally:
        ctx.close()
    counts = R.summary()
    print("(%.0f s)" % (time.monotonic() - t0))
    if counts["FAIL"]:
        return 1
    if skipped:
        if IN_CI:
            print("FAIL: CI=true and %s" % "; ".join(skipped))
            return 1
        return SKIP_CODE
    return 0


if __name__ == "__main__":
    sys.exit(main())
