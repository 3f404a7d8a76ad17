"""PEX_ROOT: content-addressed directories that appear atomically, made once under a lock."""
import binascii
import contextlib
import os
import shutil
import stat
import sys

from .layout import LOCKS

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class CacheError(Exception):
    pass


def _writable(root):
    try:
        os.makedirs(os.path.join(root, LOCKS), exist_ok=True)
        probe = os.path.join(root, "locks", ".probe-%d" % os.getpid())
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600))
        os.unlink(probe)
        return True
    except OSError:
        return False


def _private(path, stage1):
    """`path`'s real path if it is (or can be made) a cache root private to this user, else None.
    Missing directories are made 0700 (the umask cannot widen that); nothing that exists is
    changed, followed into when someone else made it, or trusted when someone else can write it."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except OSError:
        pass  # unwritable, or a dangling symlink someone planted: private_dir says no
    real = stage1.private_dir(path)
    return real if real and _writable(real) else None


def usable_root(root, stage1):
    """The configured root (absolute, or None) if it is private to this user and writable, else
    the first of stage1.temp_roots() that is (with one warning line on stderr). Never a directory
    another user owns, can write, or chose through a symlink; never relative to the working dir."""
    real = _private(root, stage1) if root else None
    if real:
        return real
    tried = stage1.temp_roots()
    for candidate in tried:
        real = _private(candidate, stage1)
        if real:
            stage1.fallback_warning(root, real)
            return real
    raise CacheError(
        "pexkit: error: no private cache directory: PEX_ROOT %s and %s are missing, unwritable, owned by "
        "another user or writable by others; set PEX_ROOT to a directory of yours (mode 0700)"
        % (root or "(none)", ", ".join(tried)))


def check_entry(root, path):
    """Whether the cache entry `path` exists; CacheError if it, or a directory between it and
    `root`, is a symlink or not a directory, belongs to another user or can be written by others."""
    exists = os.path.lexists(path)
    d = path if exists else os.path.dirname(path)
    while d.startswith(root + os.sep):
        if os.path.lexists(d) and not (stat.S_ISDIR(os.lstat(d).st_mode) and mine(d)):
            raise CacheError("pexkit: error: cache entry %s is not a directory of yours that only you can "
                             "write; remove it (or set PEX_ROOT to another directory) and run again" % d)
        d = os.path.dirname(d)
    return exists


def describe(error, what):
    """One `pexkit: error:` line for an exception raised while making a cache entry from `what`."""
    if isinstance(error, CacheError) or str(error).startswith("pexkit: "):
        return error_line(str(error))
    if isinstance(error, EnvironmentError) and getattr(error, "errno", None):
        import errno

        where = error.filename or what
        if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            hint = "free some space (or set PEX_ROOT to another disk) and run again"
        elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            hint = "make it writable (or set PEX_ROOT to a directory of yours) and run again"
        else:
            hint = "check the disk and run again"
        return "pexkit: error: %s: %s (while making the cache entry for %s); %s" % (where, error.strerror, what, hint)
    return "pexkit: error: %s is damaged (%s: %s); build or download the PEX again" % (what, type(error).__name__, error)


def error_line(msg):
    """`msg` as a `pexkit: error: …` message."""
    for prefix in ("pexkit: error: ", "pexkit: "):
        if msg.startswith(prefix):
            return "pexkit: error: " + msg[len(prefix):]
    return "pexkit: error: " + msg


def mine(path):
    st = os.lstat(path)
    return not hasattr(os, "getuid") or (st.st_uid == os.getuid() and not st.st_mode & 0o022)


@contextlib.contextmanager
def exclusive_lock(path):
    fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o600)
    try:
        if sys.platform == "win32":
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                    break
                except OSError:  # LK_LOCK gives up after ~10 s; keep waiting
                    continue
            try:
                yield
            finally:
                os.lseek(fd, 0, 0)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def lock_path(root, target, suffix=".lock"):
    """`root/locks/<folder>_<name>.lock`: the lock file of the entry `target` (a directory under
    root), held exclusively while it is made. With suffix ".use": the one users hold shared."""
    rel = target[len(root):].strip(os.sep).replace(os.sep, "_").replace("/", "_")
    return os.path.join(root, LOCKS, rel + suffix)


_HELD = {}  # lock file -> fd: the shared locks this process keeps on the entries it uses


def use_dir(root, target, fill, what=None):
    """ensure_dir, then keep a shared lock on the entry's `.use` lock file for the rest of this
    process (and of what it execs into): a prune takes that lock exclusively, without waiting,
    before it removes an entry, so it leaves this one alone. (Not the `.lock` file makers wait
    on: a maker that saw the entry missing would then wait for every user to end.) Makes the
    entry again when a prune removed it between ensure_dir and the lock. Returns True if this
    call made it."""
    made = False
    while True:
        made = ensure_dir(root, target, fill, what) or made
        if _hold(root, target):
            break
    if not made:
        try:
            os.utime(target)  # its last use, for a prune
        except OSError:
            pass
    return made


def _hold(root, target):
    lock = lock_path(root, target, ".use")
    if lock in _HELD or sys.platform == "win32":
        return True
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o600)
    except OSError:
        return True  # a read-only cache: nothing can prune it either
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_SH)
    if not os.path.isdir(target):  # pruned after ensure_dir saw it: make it again
        os.close(fd)
        return False
    os.set_inheritable(fd, True)
    _HELD[lock] = fd
    return True


def write_plan(path, data):
    """Write a start plan unless the same one is there. A running PEX marks the plan it started
    from with a record lock (stage 1, hold_plan), which a prune looks for on the file at `path`:
    so a plan is never replaced under a PEX that runs from it (one another start wrote is
    identical, or this start's differs and the old one is free). Returns True if written."""
    try:
        fd = os.open(path, os.O_RDWR | _NOFOLLOW)
    except OSError:
        write_file_atomic(path, data)
        return True
    try:
        with os.fdopen(os.dup(fd), "rb") as f:
            if f.read() == data:
                return False
        if sys.platform != "win32":
            import fcntl

            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the whole file: no PEX runs from it
            except OSError:
                return False
        write_file_atomic(path, data)
        return True
    finally:
        os.close(fd)


def ensure_dir(root, target, fill, what=None):
    """Make `target` (a directory under `root`) by calling fill(work_dir) unless it exists.

    The tree is built in `<target>.work-<random>` and renamed into place while holding an exclusive
    lock on `root/locks/<name>.lock`; existence is checked before and after taking the lock.
    Returns True if this call made it. A process killed mid-fill leaves only a `.work-` dir,
    which is never used and is removed by the next maker. An error while filling (a full disk,
    a damaged `what`) becomes one CacheError line; nothing of the entry is left behind.
    """
    if check_entry(root, target):
        return False
    lock = lock_path(root, target)
    os.makedirs(os.path.dirname(lock), exist_ok=True)
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    with exclusive_lock(lock):
        if check_entry(root, target):
            return False
        prefix = os.path.basename(target) + ".work-"
        for stale in os.listdir(parent):  # left by killed processes (only lock holders make these)
            if stale.startswith(prefix):
                shutil.rmtree(os.path.join(parent, stale), ignore_errors=True)
        work = os.path.join(parent, prefix + binascii.hexlify(os.urandom(6)).decode())
        os.mkdir(work)
        try:
            fill(work)
            os.rename(work, target)
        except BaseException as e:
            shutil.rmtree(work, ignore_errors=True)
            if what is None or not isinstance(e, Exception):
                raise
            raise CacheError(describe(e, what))
    return True


def write_file_atomic(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = "%s.work-%s" % (path, binascii.hexlify(os.urandom(6)).decode())
    try:
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644), "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
