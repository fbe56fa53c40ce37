"""Helpers of the real-mount tests (run_mount_tests.py): commands under
timeouts, mounts that always unmount, SOURCE snapshots, and the checks run
over one mounted tree. Python 3 standard library only.
"""

import csv
import errno
import hashlib
import io
import json
import os
import re
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import traceback

SKIP_CODE = 77
# Sanitizer builds (ASan+UBSan daemon) run several times slower: CMake sets
# SSTFS_MOUNT_SLOW=<factor> for them and every timeout scales by it.
SLOW = max(1, int(os.environ.get("SSTFS_MOUNT_SLOW", "1") or 1))
CMD_TIMEOUT = 60 * SLOW          # seconds for any one command
MOUNT_TIMEOUT = 20        # seconds for a mount to appear
UNMOUNT_TIMEOUT = 15      # seconds for the daemon to exit after unmount
NOW = "2026-01-01T00:00:00Z"  # TTL instant shared by the mount and dump
MAX_PARTITION_DIRS = 40   # partitions/<key>/ folders read per table (walk)
CASE_TIMEOUT = 90 * SLOW         # seconds for one case; then its mounts are aborted
IN_CI = os.environ.get("CI") == "true"


# --- results --------------------------------------------------------------


class CaseFailure(Exception):
    pass


class CaseSkip(Exception):
    """A case that cannot run here. `required`: a failure under CI=true."""

    def __init__(self, reason, required=True):
        super().__init__(reason)
        self.required = required


def fail(msg):
    raise CaseFailure(msg)


def check(cond, msg):
    if not cond:
        raise CaseFailure(msg)


class Results:
    def __init__(self):
        self.rows = []  # (group, case, status, detail, seconds)

    def run(self, group, name, fn, *args):
        t0 = time.monotonic()
        status, detail = "PASS", ""
        # In-process reads of a hung mount have no timeout of their own: a
        # watchdog kills the daemons we started, which fails those reads.
        watchdog = threading.Timer(CASE_TIMEOUT, abort_all_mounts)
        watchdog.daemon = True
        watchdog.start()
        try:
            note = fn(*args)
            if note:
                detail = str(note)
        except CaseSkip as e:
            status = "FAIL" if (IN_CI and e.required) else "SKIP"
            detail = str(e) + (" (CI=true: required)" if status == "FAIL"
                               else "")
        except CaseFailure as e:
            status, detail = "FAIL", str(e)
        except subprocess.TimeoutExpired as e:
            status, detail = "FAIL", "timed out: %s" % (e.cmd,)
        except OSError as e:  # a mount operation failed: name it, no trace
            status = "FAIL"
            detail = "%s (%s) on %s" % (
                e.strerror, errno.errorcode.get(e.errno, e.errno),
                e.filename)
        except Exception as e:  # a bug in a case is a failure, not a crash
            status = "FAIL"
            detail = "%s: %s\n%s" % (type(e).__name__, e,
                                     traceback.format_exc(limit=4))
        finally_cancel(watchdog)
        secs = time.monotonic() - t0
        if secs >= CASE_TIMEOUT and status != "SKIP":
            status = "FAIL"
            detail = ("hung: aborted after %d s (daemon killed): " %
                      CASE_TIMEOUT) + detail
        self.rows.append((group, name, status, detail, secs))
        line = "%-4s %s/%s (%.1fs)" % (status, group, name, secs)
        if detail:
            line += ": " + detail.strip().replace("\n", "\n       ")
        print(line, flush=True)
        return status == "PASS"

    def summary(self):
        counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
        for r in self.rows:
            counts[r[2]] += 1
        print("\n=== mount tests: %d passed, %d failed, %d skipped ===" %
              (counts["PASS"], counts["FAIL"], counts["SKIP"]))
        for g, n, s, d, secs in self.rows:
            if s != "PASS":
                print("  %s %s/%s: %s" % (s, g, n, d.strip().split("\n")[0]))
        return counts


# --- commands -------------------------------------------------------------


def run(cmd, timeout=CMD_TIMEOUT, input=None, cwd=None, env=None,
        ok_codes=(0,), shell=False):
    """Runs `cmd` in its own process group; kills the group on timeout.

    Returns (returncode, stdout bytes, stderr bytes). Raises CaseFailure when
    the exit status is not in ok_codes (ok_codes=None accepts any).
    """
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE if input is not None
                         else subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=cwd, env=env,
                         shell=shell, start_new_session=True)
    try:
        out, err = p.communicate(input=input, timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(p)
        p.communicate()
        raise CaseFailure("timed out after %ds: %s" % (timeout, show(cmd)))
    if ok_codes is not None and p.returncode not in ok_codes:
        raise CaseFailure("%s exited %d: %s" % (
            show(cmd), p.returncode, err.decode(errors="replace")[-800:]))
    return p.returncode, out, err


def kill_group(p):
    """Kills the process group of a child we started (never anything else)."""
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def show(cmd):
    return cmd if isinstance(cmd, str) else " ".join(str(c) for c in cmd)


def have(tool):
    return shutil.which(tool) is not None


# --- mounts ---------------------------------------------------------------


def mounted_at(path):
    """True when `path` is a mount point (per /proc/self/mountinfo)."""
    path = os.path.realpath(path)
    try:
        with open("/proc/self/mountinfo", "rb") as f:
            for line in f:
                fields = line.split(b" ")
                mp = fields[4].decode().encode().decode("unicode_escape")
                if mp == path:
                    return True
    except OSError:
        pass
    return False


def fuse_unavailable():
    """The reason mounts cannot run here, or None."""
    if not os.path.exists("/dev/fuse"):
        return "/dev/fuse does not exist"
    try:
        fd = os.open("/dev/fuse", os.O_RDWR)
        os.close(fd)
    except OSError as e:
        return "/dev/fuse cannot be opened: %s" % e.strerror
    if not have("fusermount3"):
        return "fusermount3 is not installed (Debian package fuse3)"
    return None


def fusermount_unmount(mnt):
    """fusermount3 -u, then -uz. True when `mnt` is no longer mounted."""
    for flags in (["-u"], ["-uz"]):
        if not mounted_at(mnt):
            return True
        try:
            run(["fusermount3"] + flags + [mnt], timeout=10, ok_codes=None)
        except CaseFailure:
            pass
    return not mounted_at(mnt)


class Mount:
    """One mount of the daemon, started in the foreground (-f) so that we own
    its pid and its stderr. Use as a context manager; unmount() is idempotent.
    """

    registry = []  # every live Mount, for the exit handler

    def __init__(self, ctx, source, options=(), name="mnt", args=(),
                 env_extra=None):
        self.ctx = ctx
        self.source = source
        self.options = list(options)
        self.args = list(args)
        self.mnt = tempfile.mkdtemp(prefix=name + "-", dir=ctx.mount_root)
        self.log = os.path.join(ctx.tmp, os.path.basename(self.mnt) + ".log")
        self.proc = None
        self.env = dict(os.environ)
        # The default cache_dir is $XDG_CACHE_HOME/sstablefs: keep it ours.
        self.env["XDG_CACHE_HOME"] = os.path.join(ctx.tmp, "xdg-cache")
        if env_extra:
            self.env.update(env_extra)

    def command(self):
        cmd = [self.ctx.sstablefs, "-f"] + self.ctx.daemon_args + self.args
        if self.options:
            cmd += ["-o", ",".join(self.options)]
        return cmd + [self.source, self.mnt]

    def __enter__(self):
        with open(self.log, "wb") as logf:
            self.proc = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=logf,
                stderr=subprocess.STDOUT, env=self.env,
                start_new_session=True)
        Mount.registry.append(self)
        deadline = time.monotonic() + MOUNT_TIMEOUT
        while time.monotonic() < deadline:
            if mounted_at(self.mnt):
                return self
            if self.proc.poll() is not None:
                self._cleanup_process()
                fail("mount of %s exited %s before mounting: %s" % (
                    self.source, self.proc.returncode, self.log_text()))
            time.sleep(0.02)
        self.unmount()
        fail("mount of %s did not appear within %ds: %s" % (
            self.source, MOUNT_TIMEOUT, self.log_text()))

    def __exit__(self, *exc):
        problem = self.unmount()
        if problem and exc[0] is None:
            fail(problem)
        return False

    def log_text(self, limit=1500):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode(errors="replace")[-limit:].strip()
        except OSError:
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def unmount(self):
        """Unmounts and waits for the daemon. Returns a problem or None."""
        problem = None
        if self.proc is None:
            return None
        if not fusermount_unmount(self.mnt):
            problem = "could not unmount %s" % self.mnt
        try:
            self.proc.wait(timeout=UNMOUNT_TIMEOUT)
        except subprocess.TimeoutExpired:
            problem = problem or ("daemon did not exit within %ds of unmount"
                                  % UNMOUNT_TIMEOUT)
        self._cleanup_process()
        if self in Mount.registry:
            Mount.registry.remove(self)
        try:
            os.rmdir(self.mnt)
        except OSError:
            pass
        if problem is None and self.proc.returncode not in (0, None):
            problem = "daemon exited %d after unmount: %s" % (
                self.proc.returncode, self.log_text())
        return problem

    def _cleanup_process(self):
        if self.proc.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    self.proc.send_signal(sig)
                    self.proc.wait(timeout=5)
                    break
                except subprocess.TimeoutExpired:
                    continue

    def path(self, *parts):
        return os.path.join(self.mnt, *parts)


def finally_cancel(timer):
    timer.cancel()


def abort_all_mounts():
    """The watchdog: SIGKILL the daemons we started (pending FUSE requests
    then fail with ENOTCONN) and detach their mount points."""
    for m in list(Mount.registry):
        if m.proc is not None and m.proc.poll() is None:
            try:
                m.proc.kill()
            except OSError:
                pass
        try:
            subprocess.run(["fusermount3", "-uz", m.mnt], timeout=10,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired):
            pass


def cleanup_all_mounts():
    for m in list(Mount.registry):
        try:
            m.unmount()
        except Exception:
            pass


# --- SOURCE snapshots -----------------------------------------------------

O_NOATIME = getattr(os, "O_NOATIME", 0)


def open_noatime(path, flags):
    """Opens without touching atime where permitted (owner or CAP_FOWNER)."""
    try:
        return os.open(path, flags | O_NOATIME)
    except PermissionError:
        return os.open(path, flags)


def sha256_file(path):
    fd = open_noatime(path, os.O_RDONLY)
    h = hashlib.sha256()
    try:
        while True:
            b = os.read(fd, 1 << 20)
            if not b:
                break
            h.update(b)
    finally:
        os.close(fd)
    return h.hexdigest()


def list_noatime(path):
    fd = open_noatime(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return sorted(os.listdir(fd))
    finally:
        os.close(fd)


def snapshot(root):
    """{relpath: (kind, size, sha256, mtime_ns, atime_ns)} of every entry.

    Content is hashed before the times are taken, with O_NOATIME, so taking a
    snapshot does not itself change what the next one sees.
    """
    out = {}
    stack = [""]
    while stack:
        rel = stack.pop()
        full = os.path.join(root, rel) if rel else root
        for name in list_noatime(full):
            r = os.path.join(rel, name) if rel else name
            p = os.path.join(root, r)
            st = os.lstat(p)
            if os.path.isdir(p) and not os.path.islink(p):
                stack.append(r)
                st = os.lstat(p)
                out[r] = ("dir", 0, "", st.st_mtime_ns, st.st_atime_ns)
            elif os.path.isfile(p):
                digest = sha256_file(p)
                st = os.lstat(p)
                out[r] = ("file", st.st_size, digest, st.st_mtime_ns,
                          st.st_atime_ns)
            else:
                out[r] = ("other", 0, "", st.st_mtime_ns, st.st_atime_ns)
    st = os.lstat(root)
    out["."] = ("dir", 0, "", st.st_mtime_ns, st.st_atime_ns)
    return out


def copy_noatime(src, dst):
    """Copies a tree (content and mtimes) reading with O_NOATIME, so the
    copy does not change what a snapshot of `src` sees."""
    os.makedirs(dst, exist_ok=True)
    for name in list_noatime(src):
        s, d = os.path.join(src, name), os.path.join(dst, name)
        st = os.lstat(s)
        if os.path.isdir(s) and not os.path.islink(s):
            copy_noatime(s, d)
        elif os.path.isfile(s):
            fd = open_noatime(s, os.O_RDONLY)
            try:
                with open(d, "wb") as out:
                    while True:
                        b = os.read(fd, 1 << 20)
                        if not b:
                            break
                        out.write(b)
            finally:
                os.close(fd)
        else:
            continue
        os.utime(d, ns=(st.st_atime_ns, st.st_mtime_ns))


def compare_snapshots(before, after, what):
    problems = []
    for k in sorted(set(before) | set(after)):
        b, a = before.get(k), after.get(k)
        if b is None:
            problems.append("%s: new entry %s" % (what, k))
        elif a is None:
            problems.append("%s: entry %s disappeared" % (what, k))
        else:
            for i, field in ((1, "size"), (2, "sha256"), (3, "mtime"),
                             (4, "atime")):
                if b[i] != a[i]:
                    problems.append("%s: %s %s %s changed (%s -> %s)" % (
                        what, b[0], k, field, b[i], a[i]))
    return problems


# --- reading a mount ------------------------------------------------------


def read_all(path):
    with open(path, "rb") as f:
        return f.read()


def walk_mount(root, max_partition_dirs=MAX_PARTITION_DIRS):
    """(dirs, files): relative paths of a mount, listing every folder but
    descending into at most `max_partition_dirs` entries of each partitions/
    folder (the listing itself is complete)."""
    dirs, files = [], []
    stack = [""]
    while stack:
        rel = stack.pop()
        full = os.path.join(root, rel)
        names = sorted(os.listdir(full))
        if os.path.basename(rel) == "partitions":
            names = names[:max_partition_dirs]
        for name in names:
            r = os.path.join(rel, name) if rel else name
            if os.path.isdir(os.path.join(root, r)):
                dirs.append(r)
                stack.append(r)
            else:
                files.append(r)
    return sorted(dirs), sorted(files)


def is_volatile(rel):
    """status.json and errors.log change while mounted (SPEC §2)."""
    return rel.startswith(".sstablefs/") or "/.sstablefs/" in rel


def table_dirs(root):
    """Folders under a mount that hold a table's entries (rows.jsonl)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        parts = [] if rel == "." else rel.split(os.sep)
        if "partitions" in parts or "sstables" in parts:
            dirnames[:] = []
            continue
        if "rows.jsonl" in filenames and "partitions" in dirnames:
            out.append(dirpath)
        dirnames[:] = [d for d in dirnames if d not in ("partitions",
                                                        "sstables")]
    return sorted(out)


def expect_errno(fn, want, what):
    try:
        fn()
    except OSError as e:
        check(e.errno == want, "%s: errno %s (%s), want %s" % (
            what, errno.errorcode.get(e.errno, e.errno), e.strerror,
            errno.errorcode[want]))
        return
    fail("%s: succeeded, want %s" % (what, errno.errorcode[want]))


# --- checks over one mounted tree -----------------------------------------


class Tree:
    """What a full read of one mount found: names and content hashes."""

    def __init__(self, root):
        self.root = root
        self.dirs, self.files = walk_mount(root)
        self.content = {}   # rel -> bytes (small trees) or None
        self.sha = {}       # rel -> sha256 of a serial cat
        self.size = {}      # rel -> bytes of that cat
        # data.json of an SSTable in a format the reader cannot decode (the
        # bti twins in Cassandra's legacy na folders) fails with EIO by
        # design; everything else must read.
        self.unsupported = []
        for rel in list(self.files):
            if re.search(r"(^|/)sstables/[^/]*-bti/data\.json$", rel):
                try:
                    read_all(os.path.join(root, rel))
                except OSError as e:
                    if e.errno != errno.EIO:
                        raise
                    self.unsupported.append(rel)
                    self.files.remove(rel)
        for rel in self.files:
            data = read_all(os.path.join(root, rel))
            self.sha[rel] = hashlib.sha256(data).hexdigest()
            self.size[rel] = len(data)
            self.content[rel] = data if len(data) <= (64 << 20) else None


def check_layout_basics(m, tree):
    """README.txt, .sstablefs/status.json (JSON), errors.log, modes."""
    check("README.txt" in tree.files, "no README.txt at the root")
    check(".sstablefs/status.json" in tree.files, "no .sstablefs/status.json")
    check(".sstablefs/errors.log" in tree.files, "no .sstablefs/errors.log")
    try:
        json.loads(read_all(m.path(".sstablefs/status.json")))
    except ValueError as e:
        fail("status.json is not JSON: %s" % e)
    for rel in tree.files:
        mode = os.stat(m.path(rel)).st_mode
        check(mode & 0o222 == 0, "%s has write bits (mode %o)" % (rel, mode))


def check_shell_tools(m, tree):
    """ls -R, find, wc -l, head, tail, stat against the serial read."""
    _, out, err = run(["ls", "-R", m.mnt])
    check(not err, "ls -R wrote to stderr: %s" % err[:300])
    _, out, err = run(["find", m.mnt, "-type", "f"])
    check(not err, "find wrote to stderr: %s" % err[:300])
    found = {os.path.relpath(p, m.mnt) for p in out.decode().splitlines()}
    walked = set(tree.files)
    check(walked <= found, "find misses %s" % sorted(walked - found)[:5])
    size_problems = []
    for rel in tree.files:
        if is_volatile(rel):
            continue
        st = os.stat(m.path(rel))
        n = tree.size[rel]
        if st.st_size != n:
            size_problems.append("%s: stat %d, cat %d" % (rel, st.st_size, n))
    check(not size_problems, "stat size != bytes read: %s" %
          "; ".join(size_problems[:5]))
    # head/tail/wc on the generated files (a sample keeps it quick).
    gen = [r for r in tree.files if r.endswith((".jsonl", ".csv", ".json",
                                                ".cql", ".txt"))
           and not is_volatile(r) and tree.content.get(r) is not None]
    for rel in gen[:60]:
        data = tree.content[rel]
        p = m.path(rel)
        _, out, _ = run(["wc", "-l", p])
        check(int(out.split()[0]) == data.count(b"\n"),
              "wc -l %s: %s, want %d" % (rel, out.split()[0],
                                         data.count(b"\n")))
        _, out, _ = run(["head", "-c", "100", p])
        check(out == data[:100], "head -c 100 %s differs from cat" % rel)
        _, out, _ = run(["tail", "-c", "1000", p])
        check(out == data[-1000:] if data else out == b"",
              "tail -c 1000 %s differs from cat" % rel)
        _, out, _ = run(["tail", "-n", "3", p])
        want = b"".join(data.splitlines(keepends=True)[-3:])
        check(out == want, "tail -n 3 %s differs from cat" % rel)
        _, out, _ = run(["stat", "-c", "%s", p])
        check(int(out) == len(data), "stat -c %%s %s: %s, want %d" % (
            rel, out.strip(), len(data)))


def check_random_reads(m, tree, count=30, seed=1):
    """pread at random offsets equals the same slice of a serial read."""
    rnd = random.Random(seed)
    big = [r for r in tree.files if not is_volatile(r)
           and tree.content.get(r) and len(tree.content[r]) > 4096]
    for rel in rnd.sample(big, min(len(big), 8)):
        data = tree.content[rel]
        fd = os.open(m.path(rel), os.O_RDONLY)
        try:
            for _ in range(count):
                off = rnd.randrange(len(data))
                n = rnd.choice([1, 100, 4096, 70000])
                got = os.pread(fd, n, off)
                check(got == data[off:off + n],
                      "pread(%s, %d, %d) differs from cat" % (rel, n, off))
        finally:
            os.close(fd)


def check_rows_formats(m, tree):
    """Every rows.jsonl line is a JSON object with the same keys in the same
    order; rows.csv parses, its header is those keys, one record per line,
    null <-> empty field; jq -c reads it all."""
    notes = []
    for rel in tree.files:
        if not rel.endswith("rows.jsonl") or tree.content.get(rel) is None:
            continue
        data = tree.content[rel]
        lines = data.decode("utf-8").splitlines()
        keys = None
        objs = []
        for i, line in enumerate(lines):
            try:
                obj = json.loads(line)
            except ValueError as e:
                fail("%s line %d is not JSON: %s: %r" % (rel, i + 1, e,
                                                         line[:200]))
            check(isinstance(obj, dict), "%s line %d is not an object" %
                  (rel, i + 1))
            if keys is None:
                keys = list(obj)
            check(list(obj) == keys, "%s line %d has other columns" %
                  (rel, i + 1))
            objs.append(obj)
        check(not data or data.endswith(b"\n"), "%s does not end in \\n" % rel)
        csv_rel = rel[:-len("rows.jsonl")] + "rows.csv"
        check(csv_rel in tree.files, "no %s beside %s" % (csv_rel, rel))
        text = tree.content[csv_rel].decode("utf-8")
        records = list(csv.reader(io.StringIO(text, newline="")))
        check(records, "%s is empty (no header line)" % csv_rel)
        if keys is not None:
            check(records[0] == keys, "%s header %s != JSON keys %s" % (
                csv_rel, records[0][:6], keys[:6]))
        check(len(records) - 1 == len(objs), "%s has %d records, %s %d" % (
            csv_rel, len(records) - 1, rel, len(objs)))
        for i, (obj, rec) in enumerate(zip(objs, records[1:])):
            check(len(rec) == len(obj), "%s record %d has %d fields, want %d"
                  % (csv_rel, i + 1, len(rec), len(obj)))
            for (k, v), field in zip(obj.items(), rec):
                if v is None:
                    check(field == "", "%s record %d %s: null in JSON, %r "
                          "in CSV" % (csv_rel, i + 1, k, field))
        if have("jq") and data:
            _, out, _ = run(["jq", "-c", ".", m.path(rel)])
            check(out.count(b"\n") == len(lines),
                  "jq -c %s: %d lines, want %d" % (rel, out.count(b"\n"),
                                                   len(lines)))
    if not have("jq"):
        notes.append("jq not installed: jq -c not run")
    return "; ".join(notes)


def check_copies(m, tree, ctx):
    """cp -r, tar c | tar x and rsync -a give the serial read's bytes, and
    diff -r finds no difference with the mount."""
    notes = []
    work = tempfile.mkdtemp(prefix="copy-", dir=ctx.tmp)
    try:
        # Copy a bounded part: everything but partitions/ beyond the walk.
        for label, make in (("cp -r", copy_cp), ("tar", copy_tar),
                            ("rsync -a", copy_rsync)):
            dest = os.path.join(work, label.split()[0])
            if label == "rsync -a" and not have("rsync"):
                notes.append("rsync not installed: rsync -a not run")
                continue
            make(m.mnt, dest, tree)
            for rel in tree.files:
                if is_volatile(rel):
                    continue
                p = os.path.join(dest, rel)
                check(os.path.isfile(p), "%s: %s missing in the copy" %
                      (label, rel))
                got = sha256_file(p)
                check(got == tree.sha[rel], "%s: %s differs from cat" %
                      (label, rel))
            if label == "cp -r":
                rc, out, err = run(["diff", "-r", "--exclude=.sstablefs",
                                    dest, m.mnt], ok_codes=None,
                                   timeout=120)
                check(rc == 0 or (rc == 1 and only_only_in(out, dest)),
                      "diff -r copy mount: %s" % (out + err)[:600])
            shutil.rmtree(dest, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return "; ".join(notes)


def only_only_in(diff_out, dest):
    """diff -r lines are only "Only in MNT/...partitions...": the copy is
    bounded to the walked partition folders."""
    for line in diff_out.decode(errors="replace").splitlines():
        if not line.startswith("Only in ") or dest in line:
            return False
        if "partitions" not in line:
            return False
    return True


def partition_excludes(tree):
    """Relative partitions/<key> paths the walk did not descend into."""
    out = []
    for d in tree.dirs:
        if os.path.basename(d) == "partitions":
            names = sorted(os.listdir(os.path.join(tree.root, d)))
            out += [os.path.join(d, n) for n in names[MAX_PARTITION_DIRS:]]
    return out


def copy_cp(src, dest, tree):
    os.makedirs(dest)
    skip = set(partition_excludes(tree))
    for name in sorted(os.listdir(src)):
        if name == ".sstablefs":
            continue
        if not skip:
            run(["cp", "-r", os.path.join(src, name), dest], timeout=120)
    if skip:  # copy folder by folder, leaving out the unwalked partitions
        for d in tree.dirs:
            if not d.startswith(".sstablefs"):
                os.makedirs(os.path.join(dest, d), exist_ok=True)
        files = [f for f in tree.files if not is_volatile(f)]
        for chunk in chunks(files, 200):
            for f in chunk:
                run(["cp", os.path.join(src, f), os.path.join(dest, f)])


def copy_tar(src, dest, tree):
    os.makedirs(dest)
    args = ["--exclude=./.sstablefs"]
    for rel in partition_excludes(tree):
        args.append("--exclude=./" + rel)
    cmd = "tar c -C %s %s . | tar x -C %s" % (
        shq(src), " ".join(shq(a) for a in args), shq(dest))
    rc, out, err = run(["bash", "-o", "pipefail", "-c", cmd], timeout=120,
                       ok_codes=None)
    check(rc == 0 and not err, "tar c | tar x exited %d: %s" % (
        rc, err.decode(errors="replace")[:600]))


def copy_rsync(src, dest, tree):
    args = ["rsync", "-a", "--exclude=/.sstablefs"]
    for rel in partition_excludes(tree):
        args.append("--exclude=/" + rel)
    run(args + [src + "/", dest + "/"], timeout=120)


def chunks(seq, n):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def shq(s):
    return "'" + s.replace("'", "'\\''") + "'"


def check_grep(m, tree, needle):
    """grep -r finds `needle` in the table files that hold it, and reads the
    whole tree without an error."""
    rc, out, err = run(["grep", "-r", "-l", "-F", "--", needle, m.mnt],
                       ok_codes=(0, 1), timeout=120)
    check(not err, "grep -r wrote errors: %s" % err[:400])
    hits = {os.path.relpath(p, m.mnt) for p in out.decode().splitlines()}
    want = {rel for rel in tree.files if not is_volatile(rel)
            and tree.content.get(rel) is not None
            and needle.encode() in tree.content[rel]}
    check(want <= hits, "grep -r -l %r misses %s" % (
        needle, sorted(want - hits)[:5]))
    check(any(h.endswith("rows.jsonl") for h in hits),
          "grep -r %r found no rows.jsonl" % needle)


def check_files_identical(m, tree, source_files):
    """sstables/<d>/files/<name> is byte-identical to the SOURCE file of that
    name (source_files: {basename: [paths]}), for every files/ entry."""
    n = 0
    for rel in tree.files:
        parts = rel.split(os.sep)
        if len(parts) < 2 or parts[-2] != "files":
            continue
        name = parts[-1]
        cands = source_files.get(name, [])
        check(cands, "%s: no SOURCE file named %s" % (rel, name))
        shas = {sha256_file(c) for c in cands}
        check(tree.sha[rel] in shas, "%s differs from SOURCE %s" % (
            rel, cands[0]))
        n += 1
    return n


def source_index(source):
    """{file name: [paths]} of every file under `source` (listed with
    O_NOATIME: SOURCE atimes are checked afterwards)."""
    out = {}
    stack = [source]
    while stack:
        d = stack.pop()
        for name in list_noatime(d):
            p = os.path.join(d, name)
            if os.path.isdir(p) and not os.path.islink(p):
                stack.append(p)
            elif os.path.isfile(p):
                out.setdefault(name, []).append(p)
    return out


def dump_rows(ctx, path, table=None, csv_mode=False):
    """`sstablefs dump PATH --rows|--csv [--table T]` with the mounts' NOW,
    run on the private copy of SOURCE (see Context.register_source)."""
    cmd = [ctx.sstablefs, "dump", ctx.tool_path(path),
           "--csv" if csv_mode else "--rows", "--now", NOW]
    if table:
        cmd += ["--table", table]
    return run(cmd, ok_codes=None, timeout=120)


def check_rows_vs_dump(ctx, m, table_rel, source_folder, data_root=None):
    """rows.jsonl and rows.csv of a table folder of the mount == `sstablefs
    dump --rows` / `--csv` of the same table (same --now): of the data
    directory with --table when SOURCE is one (so system_schema names the
    columns for both), else of the SOURCE folder the table stands for."""
    parts = table_rel.split(os.sep) if table_rel else []
    for csv_mode, name in ((False, "rows.jsonl"), (True, "rows.csv")):
        mount_rows = read_all(m.path(table_rel, name))
        if data_root and len(parts) == 2:
            what = "dump %s --table %s" % (data_root, ".".join(parts))
            rc, out, err = dump_rows(ctx, data_root, ".".join(parts), csv_mode)
        else:
            what = "dump %s" % source_folder
            rc, out, err = dump_rows(ctx, source_folder, None, csv_mode)
        check(rc == 0, "%s exited %d: %s" % (
            what, rc, err.decode(errors="replace")[:400]))
        if out == mount_rows:
            continue
        a = out.decode(errors="replace").splitlines()
        b = mount_rows.decode(errors="replace").splitlines()
        first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y),
                     min(len(a), len(b)))
        fail("%s/%s (%d lines) != %s %s (%d lines); first difference at "
             "line %d:\n  mount: %s\n  dump:  %s" % (
                 table_rel or ".", name, len(b), what,
                 "--csv" if csv_mode else "--rows", len(a), first + 1,
                 b[first][:300] if first < len(b) else "<end>",
                 a[first][:300] if first < len(a) else "<end>"))
    return ""


def check_parallel(m, tree):
    """16 parallel readers (xargs -P16) get the serial read's bytes."""
    files = [m.path(r) for r in tree.files if not is_volatile(r)]
    if not files:
        return
    listing = ("\0".join(files) + "\0").encode()
    # sha256sum reads each file as cat does; -z: NUL-terminated lines and
    # no escaping of odd file names.
    _, out, err = run(["xargs", "-0", "-P16", "-n4", "sha256sum", "-z"],
                      input=listing, timeout=120)
    got = {}
    for line in out.decode(errors="surrogateescape").split("\0"):
        if line:
            digest, path = line.split("  ", 1)
            got[os.path.relpath(path, m.mnt)] = digest
    for rel in tree.files:
        if is_volatile(rel):
            continue
        check(got.get(rel) == tree.sha[rel],
              "parallel read of %s differs from serial read" % rel)


def check_erofs(m, tree):
    """Writes of every kind fail with EROFS (SPEC §2)."""
    files = [r for r in tree.files if not is_volatile(r)]
    check(files, "no file to write to")
    f = m.path(next((r for r in files if r.endswith("rows.jsonl")), files[0]))
    raw = next((m.path(r) for r in files if "/files/" in "/" + r), f)
    d = os.path.dirname(f)
    new = os.path.join(d, "new-file")
    E = errno.EROFS
    for target in (f, raw):
        expect_errno(lambda: os.open(target, os.O_WRONLY), E,
                     "open(O_WRONLY) " + target)
        expect_errno(lambda: os.open(target, os.O_RDWR | os.O_APPEND), E,
                     "open(O_RDWR|O_APPEND) " + target)
        expect_errno(lambda: os.truncate(target, 0), E, "truncate " + target)
        expect_errno(lambda: os.chmod(target, 0o644), E, "chmod " + target)
        expect_errno(lambda: os.chown(target, 1, 1), E, "chown " + target)
        expect_errno(lambda: os.utime(target, (1, 1)), E, "utime " + target)
        expect_errno(lambda: os.unlink(target), E, "unlink " + target)
        expect_errno(lambda: os.rename(target, target + ".x"), E,
                     "rename " + target)
        expect_errno(lambda: os.link(target, target + ".l"), E,
                     "link " + target)
    expect_errno(lambda: os.open(new, os.O_WRONLY | os.O_CREAT, 0o644), E,
                 "creat " + new)
    expect_errno(lambda: os.mkdir(os.path.join(d, "newdir")), E, "mkdir")
    expect_errno(lambda: os.rmdir(d), E, "rmdir " + d)
    expect_errno(lambda: os.symlink("x", new), E, "symlink")
    expect_errno(lambda: os.mknod(new, 0o600 | 0o010000), E, "mkfifo")
    expect_errno(lambda: os.rename(d, d + ".x"), E, "rename folder")
    if hasattr(os, "setxattr"):
        expect_errno(lambda: os.setxattr(f, "user.x", b"1"), E, "setxattr")
    # The shell tools users would try, each must fail saying read-only.
    q = shq
    for cmd in ("touch %s" % q(f), "touch %s" % q(new), "mkdir %s" %
                q(os.path.join(d, "n")), "rm -f %s" % q(f),
                "mv %s %s" % (q(f), q(f + ".moved")), "chmod 600 %s" % q(f),
                "truncate -s 0 %s" % q(f), "echo x > %s" % q(f),
                "echo x >> %s" % q(f), "echo x > %s" % q(new),
                "ln %s %s" % (q(f), q(new)), "ln -s x %s" % q(new),
                "cp /etc/hostname %s" % q(new),
                "rm -rf %s" % q(os.path.dirname(raw))):
        rc, out, err = run(["bash", "-c", cmd], ok_codes=None)
        check(rc != 0, "`%s` succeeded" % cmd)
        check(b"Read-only file system" in err,
              "`%s` failed without 'Read-only file system': %s" % (
                  cmd, err.decode(errors="replace")[:200]))
    check(os.path.isfile(f), "%s vanished" % f)


# --- context --------------------------------------------------------------


class Context:
    def __init__(self, args):
        self.sstablefs = os.path.abspath(args.sstablefs)
        self.example = args.example and os.path.abspath(args.example)
        self.gen = args.gen and os.path.abspath(args.gen)
        self.daemon_args = list(args.daemon_arg or [])
        self.corpus = args.corpus
        self.tmp = tempfile.mkdtemp(prefix="sstablefs-mount-tests-")
        self.mount_root = os.path.join(self.tmp, "mnt")
        os.makedirs(self.mount_root)
        self.tmpfs = None  # strictatime tmpfs for SOURCE copies, if any
        self.example_dir = None
        self.tool_copies = {}  # SOURCE root -> private copy for our tools

    def register_source(self, root):
        """Our own tools (dump) read a private copy of `root`, so that the
        SOURCE-unchanged checks judge the mount alone."""
        root = os.path.abspath(root)
        if root not in self.tool_copies:
            dst = os.path.join(self.tmp, "tool-copy-%d" % len(self.tool_copies))
            copy_noatime(root, dst)
            self.tool_copies[root] = dst
        return self.tool_copies[root]

    def tool_path(self, path):
        """`path` inside the registered copy of its SOURCE, else itself."""
        path = os.path.abspath(path)
        for root, copy in self.tool_copies.items():
            if path == root or path.startswith(root + os.sep):
                return copy + path[len(root):]
        return path

    def scratch(self):
        """A folder for SOURCE copies: a strictatime tmpfs when we may mount
        one (so any read without O_NOATIME changes atime), else /tmp."""
        if self.tmpfs is None:
            path = os.path.join(self.tmp, "src")
            os.makedirs(path)
            self.tmpfs = (path, False)
            if os.geteuid() == 0 and have("mount"):
                try:
                    run(["mount", "-t", "tmpfs", "-o",
                         "strictatime,size=1g,mode=755", "sstablefs-test",
                         path], timeout=10)
                    self.tmpfs = (path, True)
                except CaseFailure:
                    pass
        return self.tmpfs[0]

    def close(self):
        cleanup_all_mounts()
        if self.tmpfs and self.tmpfs[1]:
            run(["umount", self.tmpfs[0]], ok_codes=None, timeout=10)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def make_example(self):
        if self.example_dir is None:
            d = os.path.join(self.scratch(), "example")
            run([self.example, d])
            self.example_dir = d
        return self.example_dir
