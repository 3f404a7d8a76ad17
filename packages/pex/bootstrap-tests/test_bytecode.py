"""Bytecode caching under PYTHONDONTWRITEBYTECODE=1: .pyc for the PEX's own trees in PEX_ROOT are
written anyway (so warm starts do not recompile), and nowhere else."""
import os
import re

import pytest

from conftest import build_pex, make_wheel

CODE = {"app/__init__.py": "", "app/main.py": "import lib\n\ndef main():\n    print('ok', lib.VALUE)\n"}


@pytest.fixture(scope="module")
def lib_wheel(tmp_path_factory):
    return make_wheel(tmp_path_factory.mktemp("wheels"), "lib", "1.0",
                      {"lib/__init__.py": "from lib.sub import VALUE\n", "lib/sub.py": "VALUE = 42\n"})


def _pycs(top):
    out = []
    for d, _, files in os.walk(str(top)):
        out += [os.path.join(d, f) for f in files if f.endswith(".pyc")]
    return sorted(out)


def _loaded_from(stderr, package, module):
    """Where `python -v` says the code object of package/module came from (.py or its .pyc)."""
    for m in re.finditer(r"# code object from '?([^'\n]*)'?", stderr):
        path = m.group(1).replace(os.sep + "__pycache__", "")
        if os.sep + package + os.sep + module + "." in path:
            return m.group(1)
    return None


def test_pyc_cached_in_pex_root_despite_dontwritebytecode(tmp_path, run_pex, pex_root, lib_wheel):
    pex = build_pex(tmp_path / "app.pex", code=CODE, wheels=[lib_wheel], entry_point="app.main:main")
    env = {"PYTHONDONTWRITEBYTECODE": "1"}
    r = run_pex(pex, env=env)  # cold
    assert r.returncode == 0 and r.stdout == "ok 42\n", r.stderr
    pycs = _pycs(pex_root)
    assert any(os.sep + "installed" + os.sep in p and "sub." in p for p in pycs), pycs
    assert any(os.sep + "code" + os.sep in p and "main." in p for p in pycs), pycs
    for warm in range(2):  # warm starts, fast path: the wheel's and the app's modules come from .pyc
        r = run_pex(pex, env=dict(env, PYTHONVERBOSE="1"))
        assert r.returncode == 0 and r.stdout == "ok 42\n", r.stderr
        for package, module in (("lib", "sub"), ("app", "main")):
            where = _loaded_from(r.stderr, package, module)
            assert where and where.endswith(".pyc"), (module, where)


def test_no_pyc_outside_pex_root(tmp_path, run_pex, pex_root, lib_wheel):
    """A loose PEX runs its first-party code in place: that dir is the user's, so no .pyc there."""
    pex = build_pex(tmp_path / "app", code=CODE, wheels=[lib_wheel], entry_point="app.main:main",
                    layout="loose")
    prefix = tmp_path / "prefix"
    for extra in ({}, {"PYTHONPYCACHEPREFIX": str(prefix)}):
        for _ in range(2):
            r = run_pex(pex, env=dict(extra, PYTHONDONTWRITEBYTECODE="1"))
            assert r.returncode == 0 and r.stdout == "ok 42\n", r.stderr
        assert _pycs(pex) == []
        assert _pycs(prefix) == []
    assert any("sub." in p for p in _pycs(pex_root))


COUNT_COMPILES = r"""
import builtins, collections, runpy, sys
calls = collections.Counter()
real = builtins.compile
def counting(source, filename, *a, **k):
    calls[str(filename)] += 1
    return real(source, filename, *a, **k)
builtins.compile = counting
sys.argv = [sys.argv[1]]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit:
    pass
sys.stderr.write("COMPILES %r\n" % sorted((f.split("/")[-1], n) for f, n in calls.items() if "pexkit_boot" in f))
"""


def test_cold_start_compiles_each_runtime_module_once(tmp_path, python, pex_root, lib_wheel):
    """zipimport compiles a source module twice (get_filename, then get_code); the runtime's
    package loads its own modules from the zip compiling each once."""
    import ast
    import subprocess

    pex = build_pex(tmp_path / "app.pex", code=CODE, wheels=[lib_wheel], entry_point="app.main:main")
    env = dict(os.environ, PEX_ROOT=str(pex_root))
    r = subprocess.run([python, "-c", COUNT_COMPILES, str(pex)], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    assert r.stdout == "ok 42\n", r.stderr
    counts = dict(ast.literal_eval(r.stderr.split("COMPILES ", 1)[1].strip()))
    assert "boot.py" in counts and "markers.py" in counts, counts
    assert all(n == 1 for name, n in counts.items() if name != "__init__.py"), counts
