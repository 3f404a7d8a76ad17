"""`PEX_TOOLS=1 app.pex cache info|prune` (also run by `pexkit cache … --pex-root DIR`): what a
PEX_ROOT holds, and removing the least recently used entries without breaking a PEX that runs
from them (docs/cache-layout.md).

Who holds what: a maker holds `locks/<entry>.lock` exclusively (cache.ensure_dir); a cold start
keeps a shared `flock` on `locks/<entry>.use` of every entry it uses (cache.use_dir); a warm start
keeps a record lock on byte <pid> of its start plan, which names the entries it uses (stage 1,
hold_plan). A prune takes both locks of each entry exclusively without waiting, then reads the plans (and the venvs, whose links name installed wheels), and removes an
entry only with every plan and venv that uses it, each locked the same way; anything busy is
skipped. Entries are renamed into trash/ first, so no one sees half of one.
Last use: an entry's mtime (made, or touched by a cold start) or the mtime of a plan that uses
it (touched by every warm start), whichever is later.
"""
import binascii
import json
import os
import shutil
import sys
import time

if __package__:
    from . import layout
else:  # run as a file by `pexkit cache --pex-root`
    import layout

DIR_ENTRIES = (layout.BOOTSTRAP, layout.CODE, layout.INSTALLED)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class UsageError(Exception):
    pass


def parse_size(text):
    """'5GB', '500M', '1.5g', '0' -> bytes (K, M, G, T are powers of 1024)."""
    t = text.strip().lower()
    t = t[:-2] if t.endswith("ib") else t[:-1] if t.endswith("b") else t
    unit = t[-1:] if t[-1:].isalpha() else ""
    try:
        n = float(t[:len(t) - len(unit)])
    except ValueError:
        n = -1
    if unit not in _UNITS or n < 0:
        raise UsageError("--max-size expects a size like 5GB, 500M or 0, got %r" % text)
    return int(n * _UNITS[unit])


def parse_age(text):
    """'30d', '12h', '90m', '45s', '2w' -> seconds."""
    t = text.strip().lower()
    try:
        n = float(t[:-1])
    except ValueError:
        n = -1
    if t[-1:] not in _SECONDS or n < 0:
        raise UsageError("--older-than expects an age like 30d, 12h, 90m or 2w, got %r" % text)
    return n * _SECONDS[t[-1:]]


class Entry(object):
    def __init__(self, folder, path, measure=True):
        self.folder, self.path = folder, path
        self.size, self.files = _tree_size(path) if measure else (0, 0)
        try:
            self.last_use = os.lstat(path).st_mtime
        except OSError:
            self.last_use = 0
        self.users = set()  # plans and venvs that use this entry


def _tree_size(path):
    size = files = 0
    stack = [path]
    while stack:
        try:
            it = os.scandir(stack.pop())
        except OSError:
            continue
        with it:
            for e in it:
                try:
                    if e.is_dir(follow_symlinks=False):
                        stack.append(e.path)
                    else:
                        size += e.stat(follow_symlinks=False).st_size
                        files += 1
                except OSError:
                    pass
    return size, files


def _listdir(path):
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def _entry_of(root, path):
    """The entry (a path) that `path`, anywhere under root, belongs to; None if none."""
    if not path.startswith(root + os.sep):
        return None
    parts = path[len(root) + 1:].split(os.sep)
    if parts[0] in DIR_ENTRIES and len(parts) >= 2:
        return os.path.join(root, parts[0], parts[1])
    if parts[0] == layout.VENVS and len(parts) >= 3:
        return os.path.join(root, parts[0], parts[1], parts[2])
    return None


def scan_entries(root, measure=True):
    """{path: Entry} of the directory entries (bootstrap, code, installed, venvs), and the
    number of work dirs (of fills in progress, or left by killed processes). Sizes only when
    `measure`."""
    entries, work = {}, 0
    for folder in DIR_ENTRIES:
        for name in _listdir(os.path.join(root, folder)):
            if ".work-" in name:
                work += 1
            else:
                entries[os.path.join(root, folder, name)] = Entry(folder, os.path.join(root, folder, name), measure)
    for pex_hash in _listdir(os.path.join(root, layout.VENVS)):
        for key in _listdir(os.path.join(root, layout.VENVS, pex_hash)):
            path = os.path.join(root, layout.VENVS, pex_hash, key)
            if ".work-" in key:
                work += 1
            elif os.path.isdir(path):
                entries[path] = Entry(layout.VENVS, path, measure)
    return entries, work


def scan_plans(root):
    """[(plan path, mtime, set of entry paths it uses)]."""
    plans = []
    for pex_hash in _listdir(os.path.join(root, layout.PEXES)):
        for name in _listdir(os.path.join(root, layout.PEXES, pex_hash)):
            if not name.endswith(".json") or ".work-" in name:
                continue
            path = os.path.join(root, layout.PEXES, pex_hash, name)
            try:
                mtime = os.lstat(path).st_mtime
                with open(path, "rb") as f:
                    plan = json.loads(f.read().decode("utf-8"))
                named = list(plan.get("check") or []) + list(plan.get("sys_path") or []) + list(plan.get("exec") or [])
            except (OSError, ValueError, AttributeError, TypeError):
                mtime, named = 0, []  # damaged: uses nothing, goes when it is old
            plans.append((path, mtime, set(e for e in (_entry_of(root, p) for p in named) if e)))
    return plans


def _venv_links(root, venv):
    """The entries a venv's symlinks point into."""
    used = set()
    for d, dirs, files in os.walk(venv):
        for name in dirs + files:
            p = os.path.join(d, name)
            if os.path.islink(p):
                e = _entry_of(root, os.path.join(d, os.readlink(p)))
                if e and e != venv:
                    used.add(e)
    return used


def link_users(root, entries, plans):
    """Record on each entry who uses it (plans, venvs) and its last use (theirs, if later)."""
    for e in entries.values():
        e.users = set()
    venv_uses = {}
    for path, e in entries.items():
        if e.folder == layout.VENVS:
            venv_uses[path] = _venv_links(root, path)
    for plan, mtime, used in plans:
        for u in used:
            if u in entries:
                entries[u].users.add(plan)
                entries[u].last_use = max(entries[u].last_use, mtime)
                for dep in venv_uses.get(u, ()):
                    if dep in entries:
                        entries[dep].users.add(plan)
                        entries[dep].last_use = max(entries[dep].last_use, mtime)
    for venv, used in venv_uses.items():
        for dep in used:
            if dep in entries:
                entries[dep].users.add(venv)
                entries[dep].last_use = max(entries[dep].last_use, entries[venv].last_use)


def _lock_file(root, target, suffix):
    rel = target[len(root):].strip(os.sep).replace(os.sep, "_").replace("/", "_")
    return os.path.join(root, layout.LOCKS, rel + suffix)


def _try_flock(path):
    """An fd holding `path` locked exclusively, or None if someone holds it."""
    import fcntl

    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except OSError:
        os.close(fd)
        return None


def _try_entry_locks(root, target):
    """fds holding both locks of an entry exclusively (`.lock`: no one is making it; `.use`: no
    cold start uses it), or None."""
    fds = []
    for suffix in (".lock", ".use"):
        fd = _try_flock(_lock_file(root, target, suffix))
        if fd is None:
            for f in fds:
                os.close(f)
            return None
        fds.append(fd)
    return fds


def _try_plan_lock(path):
    """An fd holding the whole plan file record-locked (no running PEX holds a byte of it), or
    None; 'gone' if the plan is no longer there."""
    import fcntl

    try:
        fd = os.open(path, os.O_RDWR | _NOFOLLOW)
    except FileNotFoundError:
        return "gone"
    except OSError:
        return None
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except OSError:
        os.close(fd)
        return None


def _trash(root, path):
    """Rename `path` into trash/ (atomic: no one sees half of it); the caller deletes it later."""
    trash = os.path.join(root, layout.TRASH)
    os.makedirs(trash, exist_ok=True)
    dest = os.path.join(trash, "%s-%s" % (binascii.hexlify(os.urandom(6)).decode(), os.path.basename(path)))
    os.rename(path, dest)
    return dest


def _parallel(fn, items):
    """[fn(item) for item in items] on a few threads: unlinking, creating lock files and renaming
    wait on the disk (seconds for thousands of them on some), and those waits overlap."""
    if len(items) < 8:
        return [fn(i) for i in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(fn, items))


def _delete(p):
    if os.path.isdir(p) and not os.path.islink(p):
        shutil.rmtree(p, ignore_errors=True)
    else:
        try:
            os.unlink(p)
        except OSError:
            pass


def _empty_trash(root):
    trash = os.path.join(root, layout.TRASH)
    _parallel(_delete, [os.path.join(trash, name) for name in _listdir(trash)])


def choose(entries, older_than=None, max_size=None, now=None):
    """Entries to remove, least recently used first: every one unused for `older_than`
    seconds, then more until what is left is at most `max_size` bytes."""
    now = time.time() if now is None else now
    order = sorted(entries.values(), key=lambda e: (e.last_use, e.path))
    total = sum(e.size for e in order)
    chosen = []
    for e in order:
        old = older_than is not None and e.last_use < now - older_than
        big = max_size is not None and total > max_size
        if not (old or big):
            break  # later entries are newer, and the size is reached
        chosen.append(e)
        total -= e.size
    return chosen


def prune(root, older_than=None, max_size=None, dry_run=False, now=None, batch=200):
    """Remove entries as `choose` says, skipping those in use. Returns a report dict."""
    if sys.platform == "win32":
        raise UsageError("cache prune needs POSIX file locks; it is not supported on Windows")
    root = os.path.realpath(root)
    if not os.path.isdir(root):
        raise UsageError("no PEX_ROOT at %s" % root)
    _empty_trash(root)  # left by a killed prune
    os.makedirs(os.path.join(root, layout.LOCKS), exist_ok=True)
    entries, _ = scan_entries(root)
    link_users(root, entries, scan_plans(root))
    victims = choose(entries, older_than, max_size, now)
    report = {"root": root, "dry_run": dry_run, "removed": [], "busy": [], "plans_removed": 0}
    if dry_run:
        report["removed"] = [_describe(root, e) for e in victims]
        return _finish(report, entries)
    for start in range(0, len(victims), batch):
        _prune_batch(root, victims[start:start + batch], report)
    _empty_trash(root)
    return _finish(report, entries)


def _prune_batch(root, victims, report):
    held = {}
    try:
        for e, fds in zip(victims, _parallel(lambda e: _try_entry_locks(root, e.path), victims)):
            if fds is None:
                report["busy"].append(_describe(root, e))
            else:
                held[e.path] = fds
        # Read who uses what only now: a start that used an entry before we locked it wrote its
        # plan before it let go of its shared lock, and one after will find the entry gone.
        entries, _ = scan_entries(root, measure=False)
        plans = scan_plans(root)
        link_users(root, entries, plans)
        for e in victims:
            if e.path not in held:
                continue
            if e.path not in entries:
                continue  # gone already (another prune)
            if not _remove(root, entries[e.path], entries, held):
                report["busy"].append(_describe(root, e))
                continue
            report["removed"].append(_describe(root, e))
            report["plans_removed"] += len([u for u in entries[e.path].users if u.endswith(".json")])
    finally:
        for fds in held.values():
            for fd in fds:
                os.close(fd)


def _remove(root, entry, entries, held):
    """Remove `entry` with the venvs and plans that use it, if none of them is busy."""
    venvs = [u for u in entry.users if not u.endswith(".json")]
    plans = set(u for u in entry.users if u.endswith(".json"))
    for v in venvs:
        if v in entries:
            plans.update(u for u in entries[v].users if u.endswith(".json"))
    extra, plan_fds = [], []
    try:
        for v in venvs:
            if v not in held:
                fds = _try_entry_locks(root, v)
                if fds is None:
                    return False
                extra.extend(fds)
        for p in sorted(plans):
            fd = _try_plan_lock(p)
            if fd is None:
                return False
            if fd != "gone":
                plan_fds.append((p, fd))
        for p, _ in plan_fds:
            try:
                os.unlink(p)
            except OSError:
                pass
        for v in venvs:
            if os.path.lexists(v):
                _trash(root, v)
        _trash(root, entry.path)
        return True
    finally:
        for fd in extra + [fd for _, fd in plan_fds]:
            os.close(fd)


def _describe(root, e):
    return {"path": e.path[len(root) + 1:], "size": e.size, "last_use": int(e.last_use)}


def _finish(report, entries):
    gone = set(r["path"] for r in report["removed"])
    report["freed"] = sum(r["size"] for r in report["removed"])
    report["kept"] = len(entries) - len(gone)
    return report


def info(root):
    """What the PEX_ROOT holds, per folder: entries, files, bytes; plans, locks, work dirs."""
    root = os.path.realpath(root)
    entries, work = scan_entries(root)
    plans = scan_plans(root)
    folders = {}
    for e in entries.values():
        f = folders.setdefault(e.folder, {"entries": 0, "files": 0, "size": 0})
        f["entries"] += 1
        f["files"] += e.files
        f["size"] += e.size
    plan_size = 0
    for p, _, _ in plans:
        try:
            plan_size += os.lstat(p).st_size
        except OSError:
            pass
    folders[layout.PEXES] = {"entries": len(plans), "files": len(plans), "size": plan_size}
    locks = _listdir(os.path.join(root, layout.LOCKS))
    folders[layout.LOCKS] = {"entries": len(locks), "files": len(locks), "size": 0}
    for name in (layout.BOOTSTRAP, layout.CODE, layout.INSTALLED, layout.VENVS):
        folders.setdefault(name, {"entries": 0, "files": 0, "size": 0})
    known = set(layout.DIRS.values())
    other = [n for n in _listdir(root) if n not in known]
    uses = [e.last_use for e in entries.values()]
    return {
        "root": root,
        "folders": dict((k, dict(v, path=os.path.join(root, k))) for k, v in sorted(folders.items())),
        "total_size": sum(v["size"] for v in folders.values()),
        "work_dirs": work,
        "oldest_use": int(min(uses)) if uses else None,
        "newest_use": int(max(uses)) if uses else None,
        "other": other,
    }


def human(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return ("%d %s" % (n, unit)) if unit == "B" else ("%.1f %s" % (n, unit))
        n /= 1024.0


def _when(t):
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t)) if t else "-"


HELP = """usage: cache info [--json]
       cache prune [--older-than AGE] [--max-size SIZE] [--dry-run] [--json]

info: what the PEX_ROOT holds, per folder.
prune: remove entries (installed wheels, code, runtimes, venvs, with the start plans that use
them), least recently used first: those unused for AGE (30d, 12h, 2w), then more until SIZE
(5GB, 500M, 0) is left. Entries a running PEX uses are kept. --dry-run lists what would go.
"""


def main(args, root):
    """`cache info|prune …` against the PEX_ROOT `root`; returns the exit code."""
    args = list(args)
    out = sys.stdout
    try:
        if not args or args[0] in ("-h", "--help"):
            out.write(HELP)
            return 0 if args else 2
        command, rest = args[0], args[1:]
        opts = {"json": False, "dry_run": False, "older_than": None, "max_size": None}
        while rest:
            a = rest.pop(0)
            key, _, value = a.partition("=")
            if key in ("--json", "--dry-run") and not value:
                opts[key[2:].replace("-", "_")] = True
            elif key in ("--older-than", "--max-size") and command == "prune":
                if not value:
                    if not rest:
                        raise UsageError("%s needs a value" % key)
                    value = rest.pop(0)
                opts[key[2:].replace("-", "_")] = parse_age(value) if key == "--older-than" else parse_size(value)
            elif key in ("-h", "--help"):
                out.write(HELP)
                return 0
            else:
                raise UsageError("cache %s: unknown option %r" % (command, a))
        if command == "info":
            report = info(root)
            if opts["json"]:
                out.write(json.dumps(report, indent=2, sort_keys=True) + "\n")
                return 0
            out.write("PEX_ROOT %s\n" % report["root"])
            for name, f in report["folders"].items():
                out.write("  %-10s %6d entries %8d files %12s\n" % (name + "/", f["entries"], f["files"], human(f["size"])))
            out.write("  total %s; last used %s .. %s; %d work dirs\n" % (
                human(report["total_size"]), _when(report["oldest_use"]), _when(report["newest_use"]), report["work_dirs"]))
            for name in report["other"]:
                out.write("  (also %s/, not the runtime's)\n" % name)
            return 0
        if command == "prune":
            if opts["older_than"] is None and opts["max_size"] is None:
                raise UsageError("cache prune needs --older-than AGE and/or --max-size SIZE")
            report = prune(root, opts["older_than"], opts["max_size"], opts["dry_run"])
            if opts["json"]:
                out.write(json.dumps(report, indent=2, sort_keys=True) + "\n")
                return 0
            verb = "would remove" if opts["dry_run"] else "removed"
            for r in report["removed"]:
                out.write("%s %s (%s, last used %s)\n" % (verb, r["path"], human(r["size"]), _when(r["last_use"])))
            for r in report["busy"]:
                out.write("kept %s: in use\n" % r["path"])
            out.write("%s %d entries (%s) from %s; %d kept\n" % (
                verb, len(report["removed"]), human(report["freed"]), report["root"], report["kept"]))
            return 0
        raise UsageError("unknown cache command %r (known: info, prune)" % command)
    except UsageError as e:
        sys.stderr.write("pexkit: error: %s\n" % e)
        return 2


if __name__ == "__main__":
    # pexkit cache info|prune --pex-root DIR: python3 cache_tools.py DIR info|prune …
    sys.exit(main(sys.argv[2:], sys.argv[1]))
