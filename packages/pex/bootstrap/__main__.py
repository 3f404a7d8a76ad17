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
    root = os.environ.get("PEX_ROOT")
    if not root:
        xdg = os.environ.get("XDG_CACHE_HOME")
        if xdg:
            root = os.path.join(xdg, "pexkit")
        else:
            home = os.path.expanduser("~")
            if home.startswith("~"):  # no HOME and no passwd entry: the runtime falls back to a temp dir
                return ""
            root = os.path.join(home, ".cache", "pexkit")
    return os.path.abspath(root)


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
                self.set_data(pyc, ext.MAGIC_NUMBER + bytes(4) + stamp + size + marshal.dumps(code))
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
            source = f.read()
        if source.startswith(b"#!") and b"python" not in source.split(b"\n", 1)[0]:
            exec_into([entry[1]] + sys.argv[1:])  # a shell (or other) script from a wheel's bin/
        run_as_main(compile(source, entry[1], "exec"), entry[1])
        return
    sys.exit("pexkit: unknown entry kind %r" % (kind,))


def run_plan(pex, info, plan):
    if plan.get("exec"):
        exec_into(plan["exec"] + [pex] + sys.argv[1:])
    activate(plan)
    prepare_env(pex, info)
    run_entry(plan["entry"])


def fast_path(pex, info, root):
    if not root or info.get("inherit_path", "false") != "false":
        return None
    for key in os.environ:
        if key.startswith("PEX_") and key not in FAST_PATH_ENV:
            return None
    path = os.path.join(root, "pexes", info["pex_hash"], interpreter_key() + ".json")
    try:
        with open(path, encoding="utf-8") as f:
            plan = loads(f.read())
    except (OSError, ValueError):
        return None
    if plan.get("pex", pex) != pex:  # directory layouts: the plan names this copy's own code dir
        return None
    for d in plan.get("check", ()):  # the cache dirs it uses (stdlib entries may legitimately be absent)
        if not os.path.exists(d):
            return None
    return plan


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
    info = read_info(pex)
    if info.get("format") != 1:
        sys.exit("pexkit: %s: unsupported PEX-INFO format %r" % (pex, info.get("format")))
    root = pex_root()
    plan = fast_path(pex, info, root)
    if plan is not None:
        run_plan(pex, info, plan)
        return
    # Cold start (or overrides): import the runtime package, from the cache when it is there.
    cached = os.path.join(root, "bootstrap", info["bootstrap_hash"])
    if os.path.isdir(os.path.join(cached, "pexkit_boot")):
        sys.path.insert(0, cached)
    else:
        sys.path.insert(0, os.path.join(pex, ".bootstrap"))
    import pexkit_boot.boot

    pexkit_boot.boot.main(pex, info, root, sys.modules[__name__])


if __name__ == "__main__":
    main()
