"""Interpreter constraints (`CPython>=3.9,<3.14`, `PyPy`, `>=3.9`) and the search for another
interpreter when the running one does not satisfy them or no set of the PEX's wheels fits it."""
import json
import os
import re
import sys

from . import markers

_CONSTRAINT = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)?\s*(.*?)\s*$")
REEXEC_ENV = "PEX_REEXEC_FROM"

# Run in a candidate interpreter with the extracted runtime dir as argv[1].
_PROBE = (
    "import json,sys;sys.path.insert(0,sys.argv[1]);"
    "from pexkit_boot import markers,tags;"
    "print(json.dumps({'executable':sys.executable,'env':markers.default_environment(),"
    "'tags':tags.sys_tags(),'venv':sys.prefix!=getattr(sys,'base_prefix',sys.prefix)"
    " or hasattr(sys,'real_prefix')}))"
)


class InterpreterError(Exception):
    pass


def parse_constraint(text):
    m = _CONSTRAINT.match(text)
    impl, spec = m.group(1), m.group(2)
    if impl and impl[0].isdigit():  # not reachable with the regex, kept for clarity
        impl, spec = None, text
    return impl, markers.SpecifierSet(spec)


def satisfies(constraints, env):
    """None if `env` (a marker environment) satisfies any constraint, else the reason it does not."""
    if not constraints:
        return None
    version = env["python_full_version"]
    for c in constraints:
        impl, spec = parse_constraint(c)
        if impl and impl.lower() != env["platform_python_implementation"].lower():
            continue
        if spec.contains(version):
            return None
    return "%s %s does not satisfy %s" % (
        env["platform_python_implementation"], version, " or ".join(constraints)
    )


def _which_all(names, dirs):
    out = []
    for d in dirs:
        for n in names:
            p = os.path.join(d, n)
            if os.path.isfile(p) and os.access(p, os.X_OK):
                out.append(p)
    return out


def venv_base(path):
    """`path` if it is not inside a virtualenv; else the base interpreter of the same name in the
    `home` its PEP 405 `pyvenv.cfg` (beside it or one dir up) names, or None if there is none."""
    bindir = os.path.dirname(path)
    for cfg in (os.path.join(bindir, "pyvenv.cfg"), os.path.join(os.path.dirname(bindir), "pyvenv.cfg")):
        if os.path.isfile(cfg):
            break
    else:
        return path
    home = None
    try:
        with open(cfg, encoding="utf-8") as f:
            for line in f:
                key, sep, value = line.partition("=")
                if sep and key.strip().lower() == "home":
                    home = value.strip()
    except (OSError, ValueError):
        return None
    base = home and os.path.join(home, os.path.basename(path))
    if base and os.path.isfile(base) and os.access(base, os.X_OK) and venv_base(base) == base:
        return base
    return None


def candidates(environ):
    """(path, named) of the interpreters to try, in this order (README: "Which interpreter"):
    PEX_PYTHON (a path, or a name looked up on PEX_PYTHON_PATH, else PATH); else the files and
    then the dirs of PEX_PYTHON_PATH; else the dirs on PATH (pyenv shims skipped) and then
    ~/.pyenv/versions/*/bin, newest first. In each dir: python3.20 ... python3.8, python3, python,
    pypy3. `named`: PEX_PYTHON or PEX_PYTHON_PATH chose it, so a virtualenv's interpreter is
    allowed; from PATH or pyenv, one inside a virtualenv stands for its base interpreter."""
    import glob

    want = environ.get("PEX_PYTHON")
    search = environ.get("PEX_PYTHON_PATH")
    if search:
        dirs, files = [], []
        for p in search.split(os.pathsep):
            (dirs if os.path.isdir(p) else files).append(p)
    else:
        # pyenv's shims are slow shell scripts; the versions they point at are searched below
        dirs = [d for d in (environ.get("PATH") or "").split(os.pathsep) if d and not d.rstrip("/").endswith(".pyenv/shims")]
        dirs += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/*/bin")), reverse=True)
        files = []
    if want:
        if os.sep in want:
            return [(want, True)]
        return [(p, True) for p in _which_all([want], dirs) + [f for f in files if os.path.basename(f) == want]]
    names = ["python3.%d" % m for m in range(20, 7, -1)] + ["python3", "python", "pypy3"]
    if search:
        return [(p, True) for p in files + _which_all(names, dirs)]
    out = []
    for path in _which_all(names, dirs):
        base = venv_base(path)
        if base:
            out.append((base, False))
    return out


def is_current(want, environ):
    """Whether PEX_PYTHON (a path or a name on PEX_PYTHON_PATH/PATH) is the running interpreter."""
    import shutil

    path = want if os.sep in want else shutil.which(want, path=environ.get("PEX_PYTHON_PATH") or environ.get("PATH"))
    return bool(path) and os.path.realpath(path) == os.path.realpath(sys.executable)


def probe(path, boot_dir):
    import subprocess

    try:
        proc = subprocess.run(
            [path, "-sE", "-c", _PROBE, boot_dir],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as e:
        return None, "cannot run: %s" % e
    if proc.returncode != 0:
        last = (proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
        return None, "probe failed: %s" % last
    try:
        return json.loads(proc.stdout.decode("utf-8")), None
    except ValueError:
        return None, "probe printed no JSON"


def find(constraints, boot_dir, fits, environ, current, current_why=None):
    """Return (executable, probe) of the first candidate that satisfies `constraints` and for which
    fits(probe) returns None (else a reason). Raise InterpreterError listing every rejection."""
    tried, seen = [], set()
    if current_why:
        tried.append("  %s (running): %s" % (current, current_why.replace("pexkit: ", "").replace("\n", "\n    ")))
        seen.add(os.path.realpath(current))
    for path, named in candidates(environ):
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        info, why = probe(path, boot_dir)
        if info is not None and info.get("venv") and not named:  # e.g. an old virtualenv, no pyvenv.cfg
            info, why = None, "inside a virtualenv (name it in PEX_PYTHON or PEX_PYTHON_PATH to use it)"
        if info is not None:
            why = satisfies(constraints, info["env"]) or fits(info)
        if why is None:
            return path, info
        tried.append("  %s: %s" % (path, why))
    raise InterpreterError(
        "pexkit: no interpreter found for this PEX (constraints: %s).\nTried:\n%s"
        % (" or ".join(constraints) or "none", "\n".join(tried) or "  (no candidates found)")
    )


def reexec(path, pex, argv, why, verbose, stage1):
    verbose("re-executing under %s: %s" % (path, why.replace("pexkit: ", "", 1)))
    env = dict(os.environ)
    env[REEXEC_ENV] = sys.executable
    stage1.exec_into([path, pex] + argv, env)
