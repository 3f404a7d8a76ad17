"""Fixtures for the runtime tests: the interpreter under test, real wheels from PyPI (downloaded
once), and a small PEX builder that follows packages/pex/docs/pex-info.md.

The builder is a stand-in until `pexkit build` (engineer C's writer) is available; it writes the
same layout: shebang, __main__.py, .bootstrap/pexkit_boot/*.py, .deps/<wheel> STORED, PEX-INFO,
first-party code and dist-info at the root.
"""
import email.parser
import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
BOOTSTRAP = HERE.parent / "bootstrap"
REPO = HERE.parents[2]
WHEEL_CACHE = REPO / "tmp" / "runtime-wheels"
PIP = REPO / ".venv-tools" / "bin" / "pip"

# (requirement, python version or None for a universal wheel)
WHEELS = [
    ("six==1.16.0", None),
    ("attrs==23.2.0", None),
    ("markupsafe==2.1.5", "3.11"),
    ("markupsafe==2.1.5", "3.12"),
]


def pytest_addoption(parser):
    parser.addoption("--python", default=os.environ.get("PEXKIT_TEST_PYTHON") or sys.executable,
                     help="interpreter that runs the PEXes under test")


@pytest.fixture(scope="session")
def python(request):
    return str(Path(request.config.getoption("--python")))


@pytest.fixture(scope="session")
def py_version(python):
    out = subprocess.run([python, "-c", "import sys,platform;print('%d.%d' % sys.version_info[:2]);print(platform.python_implementation())"],
                         stdout=subprocess.PIPE, check=True, universal_newlines=True).stdout.split()
    return tuple(int(x) for x in out[0].split(".")), out[1]


def _download(req, version):
    WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
    cmd = [str(PIP), "download", "-q", "--no-deps", "--only-binary=:all:", "-d", str(WHEEL_CACHE), req]
    if version:
        cmd += ["--python-version", version, "--implementation", "cp", "--platform", "manylinux2014_x86_64"]
    subprocess.run(cmd, check=True)


@pytest.fixture(scope="session")
def wheels():
    """{file name: Path} of real PyPI wheels, downloaded on first use."""
    want = {"six": "six-1.16.0-py2.py3-none-any.whl", "attrs": "attrs-23.2.0-py3-none-any.whl",
            "ms311": "MarkupSafe-2.1.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "ms312": "MarkupSafe-2.1.5-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"}
    for (req, version), name in zip(WHEELS, want.values()):
        if not (WHEEL_CACHE / name).exists():
            _download(req, version)
    return dict((k, WHEEL_CACHE / v) for k, v in want.items())


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_metadata(path):
    with zipfile.ZipFile(str(path)) as zf:
        meta = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")][0]
        msg = email.parser.Parser().parsestr(zf.read(meta).decode("utf-8"))
    requires = [r for r in msg.get_all("Requires-Dist") or [] if "extra" not in r]
    return canonical(msg["Name"]), msg["Version"], requires, msg.get("Requires-Python")


def make_wheel(dest_dir, name, version, files, requires=(), tag="py3-none-any", entry_points=None):
    """A real (if small) wheel: files {relative path: str|bytes}, METADATA, WHEEL, RECORD."""
    dist = "%s-%s" % (name.replace("-", "_"), version)
    path = Path(dest_dir) / ("%s-%s.whl" % (dist, tag))
    meta = "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)
    meta += "".join("Requires-Dist: %s\n" % r for r in requires)
    entries = dict(files)
    entries[dist + ".dist-info/METADATA"] = meta
    entries[dist + ".dist-info/WHEEL"] = "Wheel-Version: 1.0\nGenerator: pexkit-tests\nRoot-Is-Purelib: true\nTag: %s\n" % tag
    if entry_points:
        entries[dist + ".dist-info/entry_points.txt"] = entry_points
    record = "".join("%s,,\n" % n for n in sorted(entries)) + dist + ".dist-info/RECORD,,\n"
    entries[dist + ".dist-info/RECORD"] = record
    with zipfile.ZipFile(str(path), "w", zipfile.ZIP_DEFLATED) as zf:
        for n in sorted(entries):
            data = entries[n].encode() if isinstance(entries[n], str) else entries[n]
            zi = zipfile.ZipInfo(n, (1980, 1, 1, 0, 0, 0))
            zi.external_attr = (0o755 if "/scripts/" in n else 0o644) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, data)
    return path


def runtime_files():
    out = {"__main__.py": (BOOTSTRAP / "__main__.py").read_bytes()}
    for p in sorted((BOOTSTRAP / "pexkit_boot").glob("*.py")):
        out[".bootstrap/pexkit_boot/" + p.name] = p.read_bytes()
    return out


COMPILE = r"""
import importlib.util, json, sys, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc
tag = sys.implementation.cache_tag
with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as out:
    for n in sorted(src.namelist()):
        if n.endswith(".py") and ".dist-info/" not in n:
            data = src.read(n)
            head, _, base = n.rpartition("/")
            pyc = (head + "/" if head else "") + "__pycache__/" + base[:-3] + "." + tag + ".pyc"
            code = compile(data, n, "exec", dont_inherit=True)
            out.writestr(zipfile.ZipInfo(pyc, (1980, 1, 1, 0, 0, 0)), _code_to_hash_pyc(code, importlib.util.source_hash(data), False))
print(json.dumps({"tag": tag, "magic": importlib.util.MAGIC_NUMBER.hex(), "python": "%d.%d.%d" % sys.version_info[:3]}))
"""


def compile_bundle(python, wheel, dest):
    """What the writer's bytecode.ts makes: the wheel's modules as unchecked-hash .pyc in a zip,
    compiled by `python`. Returns (cache_tag, magic hex, version, bundle path)."""
    out = subprocess.run([python, "-I", "-S", "-c", COMPILE, str(wheel), str(dest)],
                         stdout=subprocess.PIPE, check=True, universal_newlines=True).stdout
    meta = json.loads(out)
    return meta["tag"], meta["magic"], meta["python"], Path(dest)


def build_pex(dest, code=None, wheels=(), requirements=None, entry_point=None, script=None,
              first_party=None, interpreter_constraints=(), inherit_path="false", venv=False,
              strip_pex_env=True, inject_env=None, inject_args=(), layout="zipapp", extra_projects=None,
              bytecode=None):
    """Write a PEX per docs/pex-info.md. `code`: {path: str|bytes} first-party files at the root;
    `first_party`: {name: (version, entry_points.txt text or None)}; `wheels`: paths of .whl files
    (projects and their requires are read from the wheels' METADATA); `bytecode`: {wheel path:
    (cache_tag, magic, python version, bundle path)} as compile_bundle returns."""
    code = dict(code or {})
    first_party = dict(first_party or {})
    for name, (version, eps) in first_party.items():
        di = "%s-%s.dist-info/" % (name.replace("-", "_"), version)
        code[di + "METADATA"] = "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)
        code[di + "INSTALLER"] = "pexkit\n"
        if eps:
            code[di + "entry_points.txt"] = eps
        code[di + "RECORD"] = ""
    code = dict((k, v.encode() if isinstance(v, str) else v) for k, v in code.items())
    projects, dists = {}, {}
    for w in wheels:
        w = Path(w)
        data = w.read_bytes()
        dists[w.name] = sha256(data)
        name, version, requires, rp = wheel_metadata(w)
        p = projects.setdefault(name, {"version": version, "requires": requires, "requires_python": rp, "wheels": []})
        p["wheels"].append(w.name)
    for name, extra in (extra_projects or {}).items():
        projects.setdefault(name, {}).update(extra)
    if requirements is None:
        requirements = sorted(projects)
    boot = runtime_files()
    def tree_hash(files):  # docs/pex-info.md: name + "\0" + sha256hex(contents) + "\n", byte-wise name order
        h = hashlib.sha256()
        for n in sorted(files, key=lambda x: x.encode()):
            h.update(n.encode() + b"\0" + sha256(files[n]).encode() + b"\n")
        return h

    code_h = tree_hash(code)
    boot_h = tree_hash(dict((k[len(".bootstrap/"):] if k.startswith(".bootstrap/") else k, v) for k, v in boot.items()))
    info = {
        "format": 1, "code_hash": code_h.hexdigest(), "bootstrap_hash": boot_h.hexdigest(),
        "entry_point": entry_point, "script": script,
        "interpreter_constraints": list(interpreter_constraints), "inherit_path": inherit_path,
        "venv": venv, "strip_pex_env": strip_pex_env, "inject_env": inject_env or {},
        "inject_args": list(inject_args), "distributions": dists, "projects": projects,
        "requirements": list(requirements), "first_party": sorted(canonical(n) for n in first_party),
        "targets": [], "build_properties": {"pexkit_version": "0.1.0"},
    }
    bundles = {}
    for w, (tag, magic, version, bundle) in (bytecode or {}).items():
        data = Path(bundle).read_bytes()
        entry = info.setdefault("bytecode", {}).setdefault(tag, {"magic": magic, "python": version, "wheels": {}})
        entry["wheels"][Path(w).name] = sha256(data)
        bundles[".bytecode/%s/%s.zip" % (tag, Path(w).name)] = data
    info["pex_hash"] = sha256(json.dumps(info, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
    info_bytes = (json.dumps(info, sort_keys=True, indent=2) + "\n").encode()
    dest = Path(dest)
    if layout == "zipapp":
        with open(str(dest), "wb") as f:
            f.write(b"#!/usr/bin/env python3\n")
            with zipfile.ZipFile(f, "w") as zf:
                def put(name, data, method=zipfile.ZIP_DEFLATED):
                    zi = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
                    zi.external_attr = 0o644 << 16
                    zi.compress_type = method
                    zf.writestr(zi, data)
                put("__main__.py", boot.pop("__main__.py"))
                for n in sorted(boot):
                    put(n, boot[n])
                for w in wheels:
                    put(".deps/" + Path(w).name, Path(w).read_bytes(), zipfile.ZIP_STORED)
                for n in sorted(bundles):
                    put(n, bundles[n], zipfile.ZIP_STORED)
                put("PEX-INFO", info_bytes)
                for n in sorted(code):
                    put(n, code[n])
        os.chmod(str(dest), 0o755)
    else:  # loose
        dest.mkdir(parents=True)
        for n, data in list(boot.items()) + list(code.items()) + list(bundles.items()) + [("PEX-INFO", info_bytes)]:
            p = dest / n
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        (dest / ".deps").mkdir(exist_ok=True)
        for w in wheels:
            (dest / ".deps" / Path(w).name).write_bytes(Path(w).read_bytes())
    return dest


@pytest.fixture
def pex_root(tmp_path):
    return tmp_path / "pex_root"


@pytest.fixture
def run_pex(python, pex_root):
    """run_pex(pex, *args, env={...}) -> CompletedProcess with text stdout/stderr."""

    def run(pex, *args, **kw):
        env = dict(os.environ)
        for k in list(env):
            if k.startswith("PEX") or k in ("PYTHONPATH", "_PEXKIT_TEST_PAUSE_AFTER_INSTALL"):
                del env[k]
        env["PEX_ROOT"] = str(pex_root)
        # Plain tracebacks: Python 3.13 colours them when FORCE_COLOR is set (Nx sets it for tasks).
        env["PYTHON_COLORS"] = "0"
        env.update(kw.pop("env", {}))
        for k in [k for k, v in env.items() if v is None]:
            del env[k]
        interp = kw.pop("interpreter", python)
        return subprocess.run([interp, str(pex)] + [str(a) for a in args], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                              timeout=kw.pop("timeout", 120), **kw)

    return run
