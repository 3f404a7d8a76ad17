"""Wheel choice per interpreter (cp311 + cp312 builds of a C extension), interpreter constraints
and the search for another interpreter, markers, PEX_ROOT fallback."""
import os
import subprocess
from pathlib import Path

import pytest

from conftest import build_pex, make_wheel

PYENV = Path(os.path.expanduser("~/.pyenv/versions"))
MS = (
    "import markupsafe, sys, os\n"
    "def main():\n"
    "    from markupsafe import _speedups\n"
    "    print('%d.%d' % sys.version_info[:2], os.path.basename(_speedups.__file__), markupsafe.escape('<a>'))\n"
)


def _pyenv(minor):
    found = sorted(PYENV.glob("3.%d.*/bin/python3" % minor))
    return str(found[-1]) if found else None


@pytest.fixture(scope="module")
def ms_pex(tmp_path_factory, wheels):
    d = tmp_path_factory.mktemp("ms")
    return build_pex(d / "ms.pex", code={"app.py": MS}, wheels=[wheels["ms311"], wheels["ms312"]], entry_point="app:main")


@pytest.mark.parametrize("minor", [11, 12])
def test_right_c_extension_wheel_per_interpreter(ms_pex, run_pex, minor):
    interp = _pyenv(minor)
    if not interp:
        pytest.skip("no CPython 3.%d" % minor)
    r = run_pex(ms_pex, interpreter=interp, env={"PEX_PYTHON_PATH": interp})
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["3.%d" % minor, "_speedups.cpython-3%d-x86_64-linux-gnu.so" % minor, "&lt;a&gt;"]


def test_no_fitting_wheel_reexecs_or_explains(ms_pex, run_pex, python, py_version, tmp_path):
    (major, minor), impl = py_version
    fits = impl == "CPython" and minor in (11, 12)
    # nowhere to look: a clear error naming the project, the wheels and the top tags
    r = run_pex(ms_pex, interpreter=python, env={"PEX_PYTHON_PATH": str(tmp_path)})
    if fits:
        assert r.returncode == 0, r.stderr
        return
    assert r.returncode != 0
    assert "no wheel of markupsafe 2.1.5" in r.stderr
    assert "MarkupSafe-2.1.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl" in r.stderr
    assert "no interpreter found" in r.stderr
    # with the pyenv dirs to search, it re-executes under 3.11 or 3.12
    targets = [p for p in (_pyenv(11), _pyenv(12)) if p]
    if not targets:
        pytest.skip("no CPython 3.11/3.12 to re-exec into")
    r = run_pex(ms_pex, interpreter=python, env={"PEX_PYTHON_PATH": os.pathsep.join(targets)})
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[0] in ("3.11", "3.12")
    # warm: the recorded plan execs straight into it
    r2 = run_pex(ms_pex, interpreter=python)
    assert r2.returncode == 0 and r2.stdout == r.stdout, r2.stderr


def test_interpreter_constraints(tmp_path, run_pex, python, py_version):
    (major, minor), impl = py_version
    code = {"v.py": "import sys, platform\nprint(platform.python_implementation(), '%d.%d' % sys.version_info[:2])\n"}
    ok = build_pex(tmp_path / "ok.pex", code=code, entry_point="v", interpreter_constraints=["%s==%d.%d.*" % (impl, major, minor)])
    r = run_pex(ok)
    assert r.stdout.strip() == "%s %d.%d" % (impl, major, minor), r.stderr
    # a constraint the running interpreter fails: pick another from PEX_PYTHON_PATH
    other_minor = 12 if minor != 12 else 11
    other = _pyenv(other_minor)
    if not other:
        pytest.skip("no other CPython")
    c = build_pex(tmp_path / "c.pex", code=code, entry_point="v", interpreter_constraints=["CPython==3.%d.*" % other_minor])
    r = run_pex(c, env={"PEX_PYTHON_PATH": other, "PEX_VERBOSE": "1"})
    assert r.stdout.strip() == "CPython 3.%d" % other_minor, r.stderr
    assert "re-executing under %s" % other in r.stderr
    r = run_pex(c, env={"PEX_PYTHON_PATH": python})
    assert r.returncode != 0
    assert "no interpreter found for this PEX (constraints: CPython==3.%d.*)" % other_minor in r.stderr
    assert "%s (running): %s" % (python, impl) in r.stderr and "does not satisfy" in r.stderr
    # PEX_PYTHON forces an interpreter
    r = run_pex(ok, env={"PEX_PYTHON": other})
    assert r.returncode != 0 and "does not satisfy" in r.stderr
    any_pex = build_pex(tmp_path / "any.pex", code=code, entry_point="v")
    r = run_pex(any_pex, env={"PEX_PYTHON": other})
    assert r.stdout.strip() == "CPython 3.%d" % other_minor, r.stderr
    r = run_pex(any_pex, env={"PEX_PYTHON": python, "PEX_VERBOSE": "1"})
    assert r.stdout.strip() == "%s %d.%d" % (impl, major, minor), r.stderr
    assert "looking for another interpreter" not in r.stderr


def test_markers_choose_projects(tmp_path, run_pex, py_version):
    (major, minor), impl = py_version
    d = tmp_path / "w"
    d.mkdir()
    new = make_wheel(d, "newdep", "1.0", {"newdep.py": "X = 'new'\n"})
    old = make_wheel(d, "olddep", "1.0", {"olddep.py": "X = 'old'\n"})
    top = make_wheel(d, "top", "1.0", {"top.py": ""}, requires=[
        'newdep; python_version >= "%d.%d"' % (major, minor),
        'olddep; python_version < "%d.%d"' % (major, minor),
    ])
    code = {"m.py": "import importlib.util as u\nprint([n for n in ('newdep', 'olddep', 'top') if u.find_spec(n)])\n"}
    pex = build_pex(tmp_path / "m.pex", code=code, wheels=[new, old, top], requirements=["top", 'six; sys_platform == "win32"'],
                    entry_point="m")
    r = run_pex(pex)
    assert r.stdout.strip() == "['newdep', 'top']", r.stderr


def test_unwritable_pex_root_falls_back(tmp_path, run_pex):
    blocker = tmp_path / "file"
    blocker.write_text("not a dir")
    pex = build_pex(tmp_path / "r.pex", code={"m.py": "print('ran')\n"}, entry_point="m")
    r = run_pex(pex, env={"PEX_ROOT": str(blocker / "root")})
    assert r.returncode == 0 and r.stdout.strip() == "ran", r.stderr
    warnings = [l for l in r.stderr.splitlines() if "warning" in l]
    assert len(warnings) == 1 and "is not writable, or not private to this user; using" in warnings[0]


def test_default_pex_root_is_xdg_aware(tmp_path, run_pex):
    pex = build_pex(tmp_path / "x.pex", code={"m.py": "print('ran')\n"}, entry_point="m")
    r = run_pex(pex, env={"PEX_ROOT": None, "XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "xdg" / "pexkit" / "code").is_dir()
    r = run_pex(pex, env={"PEX_ROOT": None, "XDG_CACHE_HOME": None, "HOME": str(tmp_path / "home")})
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "home" / ".cache" / "pexkit" / "code").is_dir()


def test_home_unusable_falls_back_with_one_warning(tmp_path, run_pex):
    pex = build_pex(tmp_path / "h.pex", code={"m.py": "print('ran')\n"}, entry_point="m")
    for _ in range(2):
        r = run_pex(pex, env={"PEX_ROOT": None, "XDG_CACHE_HOME": None, "HOME": "/dev/null"})
        assert r.returncode == 0 and r.stdout.strip() == "ran", r.stderr
        assert [l for l in r.stderr.splitlines() if l.strip()] == [
            l for l in r.stderr.splitlines() if "warning: PEX_ROOT /dev/null/.cache/pexkit is not writable" in l
        ]
        assert len(r.stderr.strip().splitlines()) == 1
