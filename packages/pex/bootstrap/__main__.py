# pexkit runtime, stage 1 (see packages/pex/docs/pex-info.md).
#
# Kept tiny on purpose: find the PEX, read PEX-INFO, and on a warm start run the entry point from
# the sys.path recorded for this interpreter in PEX_ROOT/pexes/<pex_hash>/<key>.json, without
# importing the rest of the runtime and without hashing or listing the zip. Anything else (cold
# start, PEX_* overrides, tools) is handed to the pexkit_boot package. Standard library only.
import os
import sys

FAST_PATH_ENV = ("PEX_ROOT",)  # the only PEX_* variable the fast path honours


class _JsonContext(object):
    strict = True
    object_hook = object_pairs_hook = None
    parse_float = parse_constant = float
    parse_int = int
    memo = {}


def loads(text):
    """json.loads for our own JSON files, through the C scanner alone when it is there: the json
    package imports re, which costs a hello-world start several milliseconds."""
    try:
        from _json import make_scanner
    except ImportError:  # PyPy and friends
        import json

        return json.loads(text)
    try:
        return make_scanner(_JsonContext())(text.lstrip(), 0)[0]
    except StopIteration as e:
        raise ValueError("invalid JSON at offset %s" % e)


def pex_root():
    """The configured cache root, absolute, or None (then the per-user temp roots are used).
    A relative PEX_ROOT is taken against the working directory now (as pex does); a relative
    XDG_CACHE_HOME is ignored (the XDG spec says so), and so is a relative or missing home."""
    root = os.environ.get("PEX_ROOT")
    if root:
        return os.path.abspath(root)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return os.path.join(os.path.normpath(xdg), "pexkit")
    home = os.path.expanduser("~")  # "~" itself when there is no HOME and no passwd entry
    if os.path.isabs(home):
        return os.path.join(os.path.normpath(home), ".cache", "pexkit")
    return None


def temp_roots():
    """Per-user roots under an absolute $TMPDIR (else /tmp), tried in order when the configured
    one is not private; a name another user took is skipped, not replaced by a new dir per start."""
    base = os.environ.get("TMPDIR") or ""
    base = base if os.path.isabs(base) else "/tmp" if os.name == "posix" else os.environ.get("TEMP", "C:\\Temp")
    me = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return [os.path.join(base, "pexkit-%s%s" % (me, "-%d" % i if i else "")) for i in range(4)]


def fallback_warning(root, used):
    why = "PEX_ROOT %s is not writable, or not private to this user" % root if root else "no PEX_ROOT (no absolute home)"
    sys.stderr.write("pexkit: warning: %s; using %s\n" % (why, used))


def private_dir(path):
    """The real path of `path` if only this user (or root) can change it, as ssh's StrictModes
    asks: after resolving symlinks, it is a directory owned by this user that no one else can
    write, and every directory above it is owned by this user or root and writable by no one else
    unless sticky (/tmp). Symlinks in `path` are followed only when owned by this user or root.
    None otherwise, or when it does not exist."""
    if not hasattr(os, "getuid"):
        return path if os.path.isdir(path) else None
    real = d = os.path.realpath(path)
    try:
        link = path
        while link != os.path.dirname(link):  # a symlink someone else made is never followed
            st = os.lstat(link)
            if st.st_mode & 0o170000 == 0o120000 and st.st_uid not in (0, os.getuid()):
                return None
            link = os.path.dirname(link)
        st = os.lstat(d)
        if st.st_uid != os.getuid() or st.st_mode & 0o022 or st.st_mode & 0o170000 != 0o040000:
            return None
        while d != os.path.dirname(d):
            d = os.path.dirname(d)
            st = os.lstat(d)  # a symlink swapped in here has mode 0777 and fails the check
            if st.st_uid not in (0, os.getuid()) or (st.st_mode & 0o022 and not st.st_mode & 0o1000):
                return None
    except OSError:
        return None
    return real


def mine(path):
    """Whether `path` (a cache entry, not a symlink) belongs to this user and no one else can write it."""
    st = os.lstat(path)
    return not hasattr(os, "getuid") or (st.st_uid == os.getuid() and not st.st_mode & 0o022)


def exec_into(argv, env=None):
    """Replace this process with argv (Windows has no real exec: run it and pass its exit code on)."""
    sys.stdout.flush()
    sys.stderr.flush()
    if sys.platform == "win32":
        import subprocess

        sys.exit(subprocess.call(argv, env=env))
    if env is None:
        os.execv(argv[0], argv)
    os.execve(argv[0], argv, env)


def interpreter_key():
    import zlib

    impl = sys.implementation
    return "%s-%d.%d.%d-%s-%s-%08x" % (
        impl.name,
        sys.version_info[0],
        sys.version_info[1],
        sys.version_info[2],
        impl.cache_tag,
        sys.platform,
        zlib.crc32(os.fsencode(sys.executable)) & 0xFFFFFFFF,
    )


def cache_bytecode(dirs):
    """PYTHONDONTWRITEBYTECODE=1 (set in many container images) stops Python writing .pyc, so every
    start would compile the wheels' modules again. For modules under `dirs` (our own trees in
    PEX_ROOT, which nothing else shares) a path hook's loader writes the .pyc Python skipped;
    reading .pyc is never disabled, so later starts use them. Nothing is written elsewhere."""
    import marshal

    ext = sys.modules["_frozen_importlib_external"]
    under = tuple(d.rstrip(os.sep) + os.sep for d in dirs)

    class Loader(ext.SourceFileLoader):
        def source_to_code(self, data, path, **kw):  # called only when no valid .pyc was found
            code = super(Loader, self).source_to_code(data, path, **kw)
            pyc = ext.cache_from_source(path)
            if sys.dont_write_bytecode and pyc.startswith(under):  # not under a pycache_prefix
                st = self.path_stats(path)
                stamp = (int(st["mtime"]) & 0xFFFFFFFF).to_bytes(4, "little")
                size = (st["size"] & 0xFFFFFFFF).to_bytes(4, "little")
                data = ext.MAGIC_NUMBER + bytes(4) + stamp + size + marshal.dumps(code)
                self.set_data(pyc, data, _mode=0o644)  # not 0666 under the user's umask 000
            return code

    finder = ext.FileFinder.path_hook(
        (ext.ExtensionFileLoader, ext.EXTENSION_SUFFIXES), (Loader, ext.SOURCE_SUFFIXES),
        (ext.SourcelessFileLoader, ext.BYTECODE_SUFFIXES),
    )

    def hook(path):
        if not (path + os.sep).startswith(under):
            raise ImportError("not a pexkit cache dir")
        return finder(path)

    sys.path_hooks.insert(0, hook)


def activate(plan):
    """Make `plan["sys_path"]` the whole of sys.path and forget modules imported from elsewhere."""
    old = [os.path.abspath(p or os.curdir) for p in sys.path]
    new = plan["sys_path"]
    keep = set(new)
    sys.path[:] = new
    if sys.dont_write_bytecode and plan.get("pyc_dirs"):
        cache_bytecode(plan["pyc_dirs"])
    roots = sorted(set(old) | keep, key=len, reverse=True)
    removed = set()
    for name, mod in list(sys.modules.items()):
        if name == "__main__":
            continue
        where = getattr(mod, "__file__", None)
        if not where:
            where = (list(getattr(mod, "__path__", None) or []) or [None])[0]
        if not where:
            continue
        where = os.path.abspath(where)
        for root in roots:
            if where == root or where.startswith(root + os.sep):
                if root not in keep:
                    del sys.modules[name]
                    removed.add(name)
                break
    if removed:  # finders installed by scrubbed modules (e.g. from a site-packages .pth) go too
        sys.meta_path[:] = [
            f for f in sys.meta_path if getattr(f, "__module__", None) not in removed
        ]
    sys.path_importer_cache.clear()
    if plan.get("pth_dirs"):
        import site

        for d in plan["pth_dirs"]:
            site.addsitedir(d)


def prepare_env(pex, info):
    """`info`: PEX-INFO, or the plan's copy of its inject_env, inject_args and strip_pex_env."""
    for key, value in sorted((info.get("inject_env") or {}).items()):
        os.environ.setdefault(key, value)
    if info.get("strip_pex_env", True):
        for key in [k for k in os.environ if k.startswith("PEX_")]:
            del os.environ[key]
    os.environ["PEX"] = pex
    sys.argv[:] = [pex] + list(info.get("inject_args") or []) + sys.argv[1:]


def run_as_main(code, path, loader=None, spec=None, package=None):
    import types

    main = types.ModuleType("__main__")
    main.__dict__.update(
        __file__=path, __loader__=loader, __spec__=spec, __package__=package, __cached__=None
    )
    main.__builtins__ = __builtins__
    sys.modules["__main__"] = main
    exec(code, main.__dict__)


def is_python_script(head):
    """Whether a script file starting with `head` is Python (run here, on the PEX's sys.path):
    a `#!...python...` line, or text with no `#!` line; binaries (a NUL byte) and other `#!`
    scripts are not."""
    if head.startswith(b"#!"):
        return b"python" in head.split(b"\n", 1)[0]
    return b"\0" not in head


def run_entry(entry):
    """entry: ["module", name] | ["func", module, "attr.path"] | ["path", file]."""
    kind = entry[0]
    if kind == "func":
        import importlib

        obj = importlib.import_module(entry[1])
        for attr in entry[2].split("."):
            obj = getattr(obj, attr)
        sys.exit(obj())
    if kind == "module":
        import importlib.util

        spec = importlib.util.find_spec(entry[1])
        if spec is None:
            sys.exit("pexkit: entry point module %r not found" % entry[1])
        if spec.submodule_search_locations is not None:  # a package: run its __main__
            spec = importlib.util.find_spec(entry[1] + ".__main__")
            if spec is None:
                sys.exit("pexkit: package %r has no __main__ module" % entry[1])
        code = spec.loader.get_code(spec.name)
        run_as_main(code, spec.origin, spec.loader, spec, spec.parent)
        return
    if kind == "path":
        with open(entry[1], "rb") as f:
            head = f.read(4096)
            if not is_python_script(head):
                # A shell script or a native binary (ruff) from a wheel's bin/: run the file itself.
                try:
                    exec_into([entry[1]] + sys.argv[1:])
                except OSError as e:
                    sys.exit("pexkit: cannot execute script %s: %s" % (entry[1], e.strerror or e))
            source = head + f.read()
        run_as_main(compile(source, entry[1], "exec"), entry[1])
        return
    sys.exit("pexkit: unknown entry kind %r" % (kind,))


def run_plan(pex, plan):
    if plan.get("exec"):
        exec_into(plan["exec"] + [pex] + sys.argv[1:])
    activate(plan)
    prepare_env(pex, plan["info"])  # the verified PEX-INFO values, not the file read this time
    run_entry(plan["entry"])


def fast_path(pex, pex_hash, root):
    """The plan recorded for this PEX and interpreter under `root`, if this user wrote it, no one
    else can change it or the cache dirs it names, and they all exist; else None."""
    for key in os.environ:
        if key.startswith("PEX_") and key not in FAST_PATH_ENV:
            return None
    pexes = os.path.join(root, "pexes", pex_hash)
    fd = None
    try:
        fd = open_plan(os.path.join(pexes, interpreter_key() + ".json"))
        with os.fdopen(fd, "rb", closefd=False) as f:
            st = os.fstat(fd)
            if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
                return None
            plan = loads(f.read().decode("utf-8"))
        if plan.get("pex", pex) != pex:  # directory layouts: the plan names this copy's own code dir
            return None
        if not hold_plan(fd):
            return None
        seen = set([root])
        for d in [os.path.dirname(pexes), pexes] + list(plan.get("check", ())):
            while d.startswith(root + os.sep) and d not in seen:  # each cache dir up to the root
                if not mine(d):
                    return None
                seen.add(d)
                d = os.path.dirname(d)
            if not d.startswith(root + os.sep) and d not in seen and not os.path.exists(d):
                return None  # outside the cache: an interpreter the plan execs
        fd = None  # stays open (and locked) while this process runs
        return plan
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return None
    finally:
        if fd is not None:
            os.close(fd)


def open_plan(path):
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    try:
        return os.open(path, os.O_RDWR | nofollow)  # a record lock needs it open for writing
    except OSError:  # a read-only PEX_ROOT (nothing prunes it), or none: try reading
        return os.open(path, os.O_RDONLY | nofollow)


def hold_plan(fd):
    """Mark the plan as in use by this process: a lock on byte <pid> of the file (each process
    its own byte, so any number run at once), kept while the process runs, also across exec. A
    prune locks the whole file before removing a plan and the entries it names, so it skips
    this one; False when a prune holds it now (then the slow path makes what is missing). Also
    the last use of the plan (its mtime), for `cache prune`. No import: os has lockf."""
    try:
        os.lseek(fd, os.getpid(), 0)
        os.lockf(fd, os.F_TLOCK, 1)
    except AttributeError:  # no lockf (Windows)
        return True
    except OSError as e:
        return e.errno == 9  # EBADF: opened read-only, see open_plan
    os.set_inheritable(fd, True)
    try:
        os.utime(fd)
    except OSError:
        pass
    return True


def read_info(pex):
    loader = globals().get("__loader__")
    archive = getattr(loader, "archive", None)  # a zipimporter: read through its open index
    if archive and not os.path.isdir(pex):
        data = loader.get_data(os.path.join(archive, "PEX-INFO"))
    else:
        with open(os.path.join(pex, "PEX-INFO"), "rb") as f:
            data = f.read()
    return loads(data.decode("utf-8"))


def main():
    pex = os.path.dirname(os.path.abspath(__file__))
    try:
        info = read_info(pex)
        pex_hash = info["pex_hash"]
    except Exception as e:  # missing, not UTF-8, not JSON, not an object, unreadable zip entry
        sys.exit("pexkit: error: %s: PEX-INFO is damaged (%r); build or download the PEX again" % (pex, e))
    if info.get("format") != 1:
        sys.exit("pexkit: error: %s: unsupported PEX-INFO format %r" % (pex, info.get("format")))
    # The cache is trusted only when private to this user (see private_dir); never relative.
    root = pex_root()
    trusted = private_dir(root) if root else None
    if not trusted and root:  # not there yet: fall back only if it cannot be made (like stage 2)
        d = root
        while not os.path.lexists(d) and d != os.path.dirname(d):
            d = os.path.dirname(d)
        trusted = None if d != root and os.path.isdir(d) and os.access(d, os.W_OK) else False
    fell_back = trusted is False or not root
    for candidate in temp_roots() if fell_back else []:
        trusted = private_dir(candidate)
        if trusted:
            break
    plan = fast_path(pex, pex_hash, trusted) if trusted else None
    if plan is not None:
        if fell_back:
            fallback_warning(root, trusted)
        run_plan(pex, plan)
        return
    # Cold start (or overrides): the runtime from the cache (checked when it was extracted), else
    # from the PEX; pexkit_boot.verify checks PEX-INFO (and then the PEX's runtime) first.
    cached = trusted and os.path.join(trusted, "bootstrap", str(info.get("bootstrap_hash")))
    try:
        cached = cached if cached and os.path.isdir(cached) and mine(os.path.dirname(cached)) and mine(cached) else None
        sys.path.insert(0, cached or os.path.join(pex, ".bootstrap"))
        from pexkit_boot import verify

        verify.check(pex, info, runtime=not cached)
        from pexkit_boot import boot
    except Exception as e:  # a damaged runtime file: not parseable, or its code broken
        sys.exit("pexkit: error: %s: the runtime (.bootstrap/) is damaged (%r); build or download the PEX again" % (pex, e))
    boot.main(pex, info, root, sys.modules[__name__])


if __name__ == "__main__":
    main()
