"""Which interpreter a re-exec picks: a base interpreter, never one inside a virtualenv unless
PEX_PYTHON or PEX_PYTHON_PATH names it (README: "Which interpreter")."""
import os
import subprocess
from pathlib import Path

import pytest

from conftest import build_pex

PYENV = Path(os.path.expanduser("~/.pyenv/versions"))
CODE = {"v.py": "import sys\nprint('%d.%d' % sys.version_info[:2], sys.prefix == sys.base_prefix, sys.executable)\n"}


def _pyenv(minor):
    found = sorted(PYENV.glob("3.%d.*/bin/python3" % minor))
    return str(found[-1]) if found else None


@pytest.fixture
def other_venv(tmp_path, py_version):
    """A venv of a CPython other than the one under test, and that CPython's minor version."""
    (_, minor), _ = py_version
    other_minor = 12 if minor != 12 else 11
    base = _pyenv(other_minor)
    if not base:
        pytest.skip("no CPython 3.%d" % other_minor)
    venv = tmp_path / "someones-venv"
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True)
    return venv, other_minor, base


def _pex(tmp_path, other_minor):
    return build_pex(tmp_path / "c.pex", code=CODE, entry_point="v",
                     interpreter_constraints=["CPython==3.%d.*" % other_minor])


def _env(tmp_path, path):
    home = tmp_path / "home"  # no ~/.pyenv there: PATH is the only place to look
    home.mkdir(exist_ok=True)
    return {"PATH": os.pathsep.join(str(p) for p in path), "HOME": str(home)}


def test_venv_on_path_stands_for_its_base_interpreter(tmp_path, run_pex, other_venv):
    venv, other_minor, base = other_venv
    r = run_pex(_pex(tmp_path, other_minor), env=_env(tmp_path, [venv / "bin"]))
    assert r.returncode == 0, r.stderr
    version, is_base, executable = r.stdout.split()
    assert (version, is_base) == ("3.%d" % other_minor, "True"), r.stdout
    assert not executable.startswith(str(venv)), r.stdout


def test_venv_without_a_base_is_never_used(tmp_path, run_pex, other_venv):
    venv, other_minor, _ = other_venv
    cfg = venv / "pyvenv.cfg"
    cfg.write_text("".join("home = %s\n" % (tmp_path / "gone") if line.startswith("home") else line
                           for line in cfg.read_text().splitlines(True)))
    r = run_pex(_pex(tmp_path, other_minor), env=_env(tmp_path, [venv / "bin"]))
    assert r.returncode != 0 and "no interpreter found" in r.stderr, (r.stdout, r.stderr)


@pytest.mark.parametrize("how", ["PEX_PYTHON", "PEX_PYTHON_PATH"])
def test_venv_named_explicitly_is_used(tmp_path, run_pex, other_venv, how):
    venv, other_minor, _ = other_venv
    value = str(venv / "bin" / "python3") if how == "PEX_PYTHON" else str(venv / "bin")
    env = dict(_env(tmp_path, [tmp_path / "empty"]), **{how: value})
    r = run_pex(_pex(tmp_path, other_minor), env=env)
    assert r.returncode == 0, r.stderr
    version, is_base, executable = r.stdout.split()
    assert (version, is_base) == ("3.%d" % other_minor, "False"), r.stdout
    assert executable.startswith(str(venv)), r.stdout
