"""Stage 2, the slow path: choose the interpreter and wheels, fill the cache, record the plan
that later warm starts use, then run the entry point (or a tool)."""
import hashlib
import json
import os
import sys
import time
import zipfile

from . import cache, entry, install, interpreter, isolate, layout, markers, resolve, site_dir, tags, verify

_T0 = time.time()
# PEX_* variables that change what a start does; with any of them set no plan is recorded.
_OVERRIDES = (
    "PEX_INTERPRETER", "PEX_SCRIPT", "PEX_MODULE", "PEX_PATH", "PEX_EXTRA_SYS_PATH",
    "PEX_INHERIT_PATH", "PEX_PYTHON", "PEX_PYTHON_PATH", "PEX_TOOLS",
)


def _verbosity():
    try:
        return int(os.environ.get("PEX_VERBOSE") or 0)
    except ValueError:
        return 1


def say(msg):
    if _verbosity():
        sys.stderr.write("pexkit: [%7.1f ms] %s\n" % ((time.time() - _T0) * 1000, msg))


_UMASK = []  # the user's umask while the cache is written with at least 022


def _restore_umask():
    """Before anything of the user's runs or is exec'd: the umask it started with."""
    while _UMASK:
        os.umask(_UMASK.pop())


class Pex(object):
    """One PEX (zipapp, packed or loose) and the cache trees it needs."""

    def __init__(self, path, info, root):
        self.path, self.info, self.root = path, info, root
        self.is_dir = os.path.isdir(path)
        self._zip = None

    @classmethod
    def open(cls, path, root, stage1):
        path = os.path.abspath(path)
        try:
            if os.path.isdir(path):
                with open(os.path.join(path, "PEX-INFO"), "rb") as f:
                    data = f.read()
            else:
                with zipfile.ZipFile(path) as zf:
                    data = zf.read("PEX-INFO")
            info = json.loads(data.decode("utf-8"))
        except Exception as e:
            verify.damaged(path, "PEX-INFO", e)
        verify.pex_info(path, info)
        return cls(path, info, root)

    @property
    def zip(self):
        if self._zip is None:
            self._zip = zipfile.ZipFile(self.path)
        return self._zip

    def read(self, name):
        if self.is_dir:
            with open(os.path.join(self.path, name), "rb") as f:
                return f.read()
        return self.zip.read(name)

    def _write_files(self, files, dest, want, what):
        """Write (name, bytes) pairs (one in memory at a time) under `dest`, the work dir of a cache
        entry; CacheError, so the entry is never made, unless their tree hash is `want`."""
        digests, py_dirs = [], set()
        for name, data in files:
            target = install._safe_join(dest, name, self.path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as out:
                out.write(data)
            digests.append((name, hashlib.sha256(data).hexdigest()))
            if name.endswith(".py"):
                py_dirs.add(os.path.dirname(target))
        if verify.tree_hash(digests) != want:
            raise cache.CacheError("pexkit: error: %s: %s does not match PEX-INFO's hash; the PEX is damaged, "
                                   "build or download it again" % (self.path, what))
        install.make_pycache_dirs(py_dirs)

    def bootstrap_dir(self):
        target = os.path.join(self.root, layout.BOOTSTRAP, self.info["bootstrap_hash"])

        def fill(work):
            files = verify.runtime_files(self.path)
            self._write_files(files, work, self.info["bootstrap_hash"], "the runtime in .bootstrap/")
            os.remove(os.path.join(work, "__main__.py"))  # hashed with the runtime, run from the PEX

        if cache.use_dir(self.root, target, fill, "the runtime (.bootstrap/) of %s" % self.path):
            say("extracted the runtime to %s" % target)
        return target

    def code_dir(self):
        if self.is_dir:
            return self.path
        target = os.path.join(self.root, layout.CODE, self.info["code_hash"])

        def fill(work):
            names = [
                n for n in self.zip.namelist()
                if not n.endswith("/") and n not in ("__main__.py", "PEX-INFO")
                and not n.startswith((".bootstrap/", ".deps/", ".bytecode/"))
            ]
            files = ((n, self.zip.read(n)) for n in names)
            self._write_files(files, work, self.info["code_hash"], "the first-party code")

        if cache.use_dir(self.root, target, fill, "the first-party code of %s" % self.path):
            say("extracted first-party code to %s" % target)
        return target

    def wheel_size(self, wheel):
        if self.is_dir:
            return os.path.getsize(os.path.join(self.path, ".deps", wheel))
        return self.zip.getinfo(".deps/" + wheel).file_size

    def open_member(self, name):
        """A file of the PEX as a seekable file object (a STORED zip member read in place)."""
        if self.is_dir:
            return open(os.path.join(self.path, name), "rb")
        return install.open_member(self.path, name)

    def bytecode(self, wheel):
        """(member name, sha256) of the compiled modules this PEX carries for `wheel` and this
        interpreter (same cache_tag and magic number), or None."""
        tag = sys.implementation.cache_tag
        compiled = (self.info.get("bytecode") or {}).get(tag) if tag else None
        if not compiled or wheel not in (compiled.get("wheels") or {}):
            return None
        import importlib.util

        if compiled.get("magic") != importlib.util.MAGIC_NUMBER.hex():
            return None
        return ".bytecode/%s/%s.zip" % (tag, wheel), compiled["wheels"][wheel]

    def wheel_dir(self, wheel):
        sha = (self.info.get("distributions") or {}).get(wheel)
        if not sha:
            raise install.InstallError("pexkit: %s: wheel %s is not listed in PEX-INFO distributions" % (self.path, wheel))
        target = os.path.join(self.root, layout.INSTALLED, sha)

        def fill(work):
            if self.is_dir:
                src = open(os.path.join(self.path, ".deps", wheel), "rb")
            else:
                src = install.open_member(self.path, ".deps/" + wheel)
            with src:
                install.install_wheel(src, work, wheel, sha)
            bundle = self.bytecode(wheel)
            if bundle:
                name, digest = bundle
                with self.open_member(name) as src:
                    install.install_bytecode(src, work, name, digest, sys.implementation.cache_tag)
            pause = os.environ.get("_PEXKIT_TEST_PAUSE_AFTER_INSTALL")  # test hook: widen the window
            if pause:
                time.sleep(float(pause))

        t = time.time()
        if cache.use_dir(self.root, target, fill, ".deps/%s in %s" % (wheel, self.path)):
            say("installed %s into %s (%.1f ms)" % (wheel, target, (time.time() - t) * 1000))
        return target


def _install_all(pex, wheels):
    """The installed dirs of `wheels` (in order), installing missing ones on a few threads:
    inflating and writing release the GIL, so a cold start with many wheels goes faster."""
    root = pex.root
    sha = pex.info.get("distributions") or {}
    missing = [w for w in wheels if not os.path.isdir(os.path.join(root, layout.INSTALLED, sha.get(w, "-")))]
    workers = min(len(missing), 4, os.cpu_count() or 1)
    if workers > 1:
        import threading

        # Largest first: the last wheel to start is then a small one, so the threads end together.
        missing.sort(key=pex.wheel_size, reverse=True)

        errors, todo = [], list(missing)
        guard = threading.Lock()

        def work():
            while True:
                with guard:
                    if not todo or errors:
                        return
                    wheel = todo.pop(0)
                try:
                    pex.wheel_dir(wheel)
                except BaseException as e:  # re-raised in the main thread
                    with guard:
                        errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
    return [pex.wheel_dir(w) for w in wheels]


def _choose_interpreter(pex, env, sys_tags):
    """The wheels for this interpreter, or re-exec into one that fits (never returns then)."""
    info, environ = pex.info, os.environ
    constraints = info.get("interpreter_constraints") or []
    why = interpreter.satisfies(constraints, env)
    chosen = None
    if why is None:
        try:
            chosen = resolve.resolve(info, env, sys_tags)
        except resolve.ResolveError as e:
            why = str(e)
    forced = environ.get("PEX_PYTHON") and not environ.get(interpreter.REEXEC_ENV)
    if forced and interpreter.is_current(environ["PEX_PYTHON"], environ):
        forced = False  # PEX_PYTHON names the running interpreter: nothing to probe
    if why is None and not forced:
        say("interpreter %s %s satisfies %s" % (env["platform_python_implementation"], env["python_full_version"], constraints or "no constraints"))
        return chosen
    if environ.get(interpreter.REEXEC_ENV):
        raise interpreter.InterpreterError(
            "%s\n(re-executed from %s; giving up)" % (why, environ[interpreter.REEXEC_ENV])
        )
    boot_dir = pex.bootstrap_dir()

    def fits(probe):
        try:
            resolve.resolve(info, probe["env"], probe["tags"])
            return None
        except resolve.ResolveError as e:
            return str(e).splitlines()[0]

    say("looking for another interpreter: %s" % (why or "PEX_PYTHON=%s" % environ["PEX_PYTHON"]).replace("pexkit: ", "", 1))
    path, probe = interpreter.find(constraints, boot_dir, fits, environ, sys.executable, why)
    if why is None and os.path.realpath(path) == os.path.realpath(sys.executable):
        return chosen
    if _cacheable(info):
        _write_plan(pex, {"exec": [path], "check": [path]})
    _restore_umask()
    interpreter.reexec(path, pex.path, sys.argv[1:], why or "PEX_PYTHON", say, stage1=pex.stage1)


def _site_dirs(root, wheel_dirs):
    """The sys.path entries for the wheels: one merged site dir (site_dir.py), or the wheel dirs."""
    if not site_dir.wanted(wheel_dirs):
        return wheel_dirs
    target = site_dir.path_for(root, wheel_dirs)
    if cache.ensure_dir(root, target, lambda work: site_dir.link(work, wheel_dirs), "the site dir of %d wheels" % len(wheel_dirs)):
        say("linked %d wheels into %s" % (len(wheel_dirs), target))
    return [target]


def _cacheable(info):
    if (info.get("inherit_path") or "false") != "false":
        return False
    return not any(os.environ.get(k) for k in _OVERRIDES)


def _write_plan(pex, plan):
    path = os.path.join(pex.root, layout.PEXES, pex.info["pex_hash"], pex.stage1.interpreter_key() + ".json")
    try:
        if cache.write_plan(path, json.dumps(plan, sort_keys=True, indent=1).encode("utf-8")):
            say("recorded the start plan in %s" % path)
    except OSError as e:
        say("could not record the start plan: %s" % e)


def _tool(pex, chosen, code_dirs, wheel_dirs, entry_spec):
    args = sys.argv[1:]
    name = os.environ.get("PEX_TOOLS", "")
    if name.lower() in ("1", "true"):
        name = args.pop(0) if args else "info"
    if name == "info":
        out = {"interpreter": sys.executable, "pex_info": pex.info, "selected_wheels": dict(chosen)}
        sys.stdout.write(json.dumps(out, indent=2, sort_keys=True) + "\n")
        return 0
    if name == "venv":
        from . import venv as venv_mod

        if not args:
            sys.exit("pexkit: PEX_TOOLS venv needs a destination directory")
        dest = os.path.abspath(args[0])
        if os.path.exists(dest) and os.listdir(dest):
            sys.exit("pexkit: venv destination %s exists and is not empty" % dest)
        if os.path.exists(dest):
            os.rmdir(dest)
        _restore_umask()  # the user's own directory
        python = venv_mod.build(dest, dest, code_dirs, wheel_dirs, pex.info, entry_spec, pex.path,
                                pex.read("__main__.py").decode("utf-8"), copy=True)
        sys.stdout.write(python + "\n")
        return 0
    if name == "cache":
        from . import cache_tools

        return cache_tools.main(args, pex.root)
    sys.exit("pexkit: unknown PEX_TOOLS tool %r (known: info, venv DIR, cache info|prune)" % name)


def run(pex_path, info, root, stage1):
    """Everything up to the user's code; returns an exit code (tools) or the function that runs it."""
    root = cache.usable_root(root, stage1)
    pex = Pex(pex_path, info, root)
    pex.stage1 = stage1
    say("PEX %s (pex_hash %s), PEX_ROOT %s" % (pex_path, info.get("pex_hash", "?")[:12], root))
    env = markers.default_environment()
    sys_tags = tags.sys_tags()
    say("interpreter %s: best tags %s" % (sys.executable, ", ".join(sys_tags[:3])))
    chosen = _choose_interpreter(pex, env, sys_tags)
    for name, wheel in chosen:
        say("chose %s for %s" % (wheel, name))
    boot_dir = pex.bootstrap_dir()  # so later starts import the runtime from cached .pyc
    code_dirs = [pex.code_dir()]
    wheel_dirs = _install_all(pex, [w for _, w in chosen])
    names = set(n for n, _ in chosen)
    for other in [p for p in (os.environ.get("PEX_PATH") or "").split(os.pathsep) if p]:
        extra = Pex.open(other, root, stage1)
        code_dirs.append(extra.code_dir())
        for name, wheel in resolve.resolve(extra.info, env, sys_tags):
            if name not in names:
                names.add(name)
                wheel_dirs.append(extra.wheel_dir(wheel))
        say("merged PEX_PATH entry %s" % other)
    entry_spec, why = entry.choose(info, os.environ, code_dirs, wheel_dirs)
    say("entry %s (from %s)" % (" ".join(entry_spec), why))
    if os.environ.get("PEX_TOOLS"):
        return _tool(pex, chosen, code_dirs, wheel_dirs, entry_spec)

    if info.get("venv") and entry_spec[0] != "interpreter" and _cacheable(info):
        from . import venv as venv_mod

        key = stage1.interpreter_key()
        target = os.path.join(root, layout.VENVS, info["pex_hash"], key)
        source = pex.read("__main__.py").decode("utf-8")

        def fill(work):
            venv_mod.build(work, target, code_dirs, wheel_dirs, info, entry_spec, pex.path, source)

        if cache.use_dir(root, target, fill, "the venv of %s" % pex.path):
            say("built venv %s" % target)
        command = venv_mod.exec_command(os.path.join(target, "bin", "python"))
        _write_plan(pex, {"exec": command, "check": [target]})
        say("exec %s" % " ".join(command))
        _restore_umask()
        stage1.exec_into(command + [pex.path] + sys.argv[1:])

    inherit = os.environ.get("PEX_INHERIT_PATH") or info.get("inherit_path") or "false"
    if inherit not in ("false", "prefer", "fallback"):
        sys.exit("pexkit: PEX_INHERIT_PATH must be false, prefer or fallback, not %r" % inherit)
    std, inherited = isolate.split_sys_path(pex_path, exclude=[boot_dir])
    extra = [os.path.abspath(p) for p in (os.environ.get("PEX_EXTRA_SYS_PATH") or "").split(os.pathsep) if p]
    path_dirs = _site_dirs(root, wheel_dirs)
    sys_path = isolate.build_sys_path(code_dirs, path_dirs, std, inherited, inherit, extra)
    trees = code_dirs + [d for d in path_dirs if d not in wheel_dirs] + wheel_dirs
    plan = {
        "sys_path": sys_path,
        "pth_dirs": isolate.pth_dirs(code_dirs + path_dirs),
        "entry": entry_spec,
        "check": trees,
        # trees of our own in PEX_ROOT, where .pyc are cached even under PYTHONDONTWRITEBYTECODE
        "pyc_dirs": [d for d in trees if d.startswith(root + os.sep)],
        # what the warm start needs from PEX-INFO, as checked now: it does not check the file again
        "info": dict((k, info.get(k)) for k in ("inject_env", "inject_args", "strip_pex_env") if k in info),
    }
    if pex.is_dir:
        plan["pex"] = pex_path
    say("sys.path: %s" % os.pathsep.join(sys_path))
    stage1.activate(plan)
    if _cacheable(info) and entry_spec[0] != "interpreter":
        plan["sys_path"] = list(sys.path)  # with what .pth files added
        _write_plan(pex, plan)
    say("running")

    def launch():
        stage1.prepare_env(pex_path, info)
        if entry_spec[0] == "interpreter":
            entry.run_interpreter(stage1)
        else:
            stage1.run_entry(entry_spec)

    return launch


def main(pex_path, info, root, stage1):
    old = os.umask(0o022)
    _UMASK.append(old)
    os.umask(old | 0o022)  # cache modes never wider than 0755/0644, whatever the user's umask
    try:
        result = run(pex_path, info, root, stage1)
    except Exception as e:  # the runtime's own work failed: one line, no traceback
        _restore_umask()
        if _verbosity():
            import traceback

            traceback.print_exc()
        known = (resolve.ResolveError, interpreter.InterpreterError, entry.EntryError, cache.CacheError,
                 install.InstallError, markers.InvalidVersion, markers.InvalidMarker)
        sys.exit(cache.error_line(str(e)) if isinstance(e, known) else cache.describe(e, pex_path))
    _restore_umask()
    if callable(result):
        result()
    elif result:
        sys.exit(result)
