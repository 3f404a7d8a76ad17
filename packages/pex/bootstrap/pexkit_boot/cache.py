"""PEX_ROOT: content-addressed directories that appear atomically, made once under a lock."""
import binascii
import contextlib
import os
import shutil
import sys


class CacheError(Exception):
    pass


def _writable(root):
    try:
        os.makedirs(os.path.join(root, "locks"), exist_ok=True)
        probe = os.path.join(root, "locks", ".probe-%d" % os.getpid())
        with open(probe, "w"):
            pass
        os.unlink(probe)
        return True
    except OSError:
        return False


def usable_root(root, warn):
    """`root` if it can be written, else a private temp dir (with one warning line on stderr)."""
    if root and _writable(root):
        return root
    import tempfile

    uid = os.getuid() if hasattr(os, "getuid") else 0
    fallback = os.path.join(tempfile.gettempdir(), "pexkit-%d" % uid)
    try:
        os.makedirs(fallback, mode=0o700, exist_ok=True)
        st = os.stat(fallback)
        if hasattr(os, "getuid") and (st.st_uid != uid or st.st_mode & 0o077):
            raise OSError("%s is not private to this user" % fallback)
    except OSError:
        fallback = tempfile.mkdtemp(prefix="pexkit-")
    if not _writable(fallback):
        raise CacheError("pexkit: neither PEX_ROOT %s nor %s can be written" % (root, fallback))
    warn("pexkit: warning: PEX_ROOT %s is not writable; using %s" % (root or "(no home directory)", fallback))
    return fallback


@contextlib.contextmanager
def exclusive_lock(path):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
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


def ensure_dir(root, target, fill):
    """Make `target` (a directory under `root`) by calling fill(work_dir) unless it exists.

    The tree is built in `<target>.work-<random>` and renamed into place while holding an exclusive
    lock on `root/locks/<name>.lock`; existence is checked before and after taking the lock.
    Returns True if this call made it. A process killed mid-fill leaves only a `.work-` dir,
    which is never used and is removed by the next maker.
    """
    if os.path.isdir(target):
        return False
    rel = target[len(root):].strip(os.sep).replace(os.sep, "_").replace("/", "_")
    locks = os.path.join(root, "locks")
    os.makedirs(locks, exist_ok=True)
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    with exclusive_lock(os.path.join(locks, rel + ".lock")):
        if os.path.isdir(target):
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
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    return True


def write_file_atomic(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = "%s.work-%s" % (path, binascii.hexlify(os.urandom(6)).decode())
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
