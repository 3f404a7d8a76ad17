"""Scripts shipped as files in a wheel's `.data/scripts/` (issue 14, point 2), end to end with
`pexkit build`: ruff's native binary and a `#!python` script, named by `-c`, PEX_SCRIPT and
PEX-INFO, run cold, warm and in venv mode under the interpreter under test."""
import base64
import hashlib
import json
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, WHEEL_CACHE, PIP

CLI = REPO / "packages/pex/dist/cli/main.js"
MAKE_WHEEL = REPO / "packages/pex/src/wheel/test-support/make-wheel.py"
RUFF = "ruff-0.8.4-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
# A `#!python` script that must run under the PEX's interpreter with the PEX's sys.path (it
# imports its own package and six, a dependency only the PEX holds).
GREET = "#!python\nimport sys, six, greetlib\nprint('greet', greetlib.WORD, six.__version__, sys.executable, sys.argv[1:])\n"


def _greet_wheel(dest):
    spec = {
        "name": "greet", "version": "1.0", "tag": "py3-none-any", "out": str(dest / "greet-1.0-py3-none-any.whl"),
        "requiresDist": ["six"],
        "files": [
            {"name": "greetlib/__init__.py", "data": base64.b64encode(b"WORD = 'hi'\n").decode()},
            {"name": "greet-1.0.data/scripts/greet", "data": base64.b64encode(GREET.encode()).decode()},
        ],
    }
    subprocess.run([sys.executable, str(MAKE_WHEEL)], input=json.dumps(spec), universal_newlines=True, check=True)
    return dest / "greet-1.0-py3-none-any.whl"


@pytest.fixture(scope="module")
def project(tmp_path_factory, wheels):
    if not shutil.which("node") or not CLI.exists():
        pytest.fail("node or packages/pex/dist/cli/main.js missing: build @pexkit/pex first (npx nx build pex)")
    if not (WHEEL_CACHE / RUFF).exists():
        subprocess.run([str(PIP), "download", "-q", "--no-deps", "--only-binary=:all:", "-d", str(WHEEL_CACHE),
                        "--platform", "manylinux2014_x86_64", "ruff==0.8.4"], check=True)
    d = tmp_path_factory.mktemp("scripts")
    links = d / "links"
    links.mkdir()
    for w in (WHEEL_CACHE / RUFF, wheels["six"], _greet_wheel(links)):
        if w.parent != links:
            shutil.copy(str(w), str(links / w.name))
    (d / "src/app").mkdir(parents=True)
    (d / "src/app/__init__.py").write_text("")
    (d / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.6"\n'
        'dependencies = ["ruff==0.8.4", "greet==1.0", "six==1.16.0"]\n')
    lock = "".join("%s --hash=sha256:%s\n" % (req, hashlib.sha256((links / f).read_bytes()).hexdigest())
                   for req, f in (("ruff==0.8.4", RUFF), ("greet==1.0", "greet-1.0-py3-none-any.whl"),
                                  ("six==1.16.0", "six-1.16.0-py2.py3-none-any.whl")))
    (d / "requirements.txt").write_text(lock)
    return d


def build(project, out, *extra, check=True):
    r = subprocess.run(["node", str(CLI), "build", "--project", str(project), "--lock", str(project / "requirements.txt"),
                        "--find-links", str(project / "links"), "--offline", "--cache-dir", str(project / ".cache"),
                        "-o", str(out), "-q"] + list(extra),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    if check and r.returncode != 0:
        pytest.fail("pexkit build failed: %s" % r.stderr.strip())
    return r


def test_native_binary_script(project, tmp_path, run_pex):
    pex = tmp_path / "ruff.pex"
    build(project, pex, "-c", "ruff")
    with __import__("zipfile").ZipFile(str(pex)) as zf:
        info = json.loads(zf.read("PEX-INFO"))
    assert (info["script"], info["entry_point"]) == ("ruff", None)
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n")
    for _ in range(2):  # cold, then warm (the recorded start plan)
        r = run_pex(pex, "--version")
        assert (r.returncode, r.stdout.strip()) == (0, "ruff 0.8.4"), r.stderr
    r = run_pex(pex, "check", "--no-cache", str(bad))
    assert r.returncode == 1 and "F401" in r.stdout, r.stderr


def test_python_script_runs_on_the_pex_sys_path(project, tmp_path, run_pex, python):
    pex = tmp_path / "greet.pex"
    build(project, pex, "-c", "greet")
    for _ in range(2):
        r = run_pex(pex, "a", "b")
        assert r.returncode == 0, r.stderr
        word, six_version, executable, argv = r.stdout.split(" ", 4)[1:]
        assert (word, six_version, argv.strip()) == ("hi", "1.16.0", "['a', 'b']")
        # The interpreter running the PEX, not a `python3` found on PATH by the rewritten shebang.
        assert executable == subprocess.check_output(
            [python, "-c", "import sys; print(sys.executable)"], universal_newlines=True).strip()


def test_pex_script_picks_either_kind(project, tmp_path, run_pex):
    pex = tmp_path / "greet2.pex"
    build(project, pex, "-c", "greet")
    r = run_pex(pex, "--version", env={"PEX_SCRIPT": "ruff"})
    assert (r.returncode, r.stdout.strip()) == (0, "ruff 0.8.4"), r.stderr
    r = run_pex(pex, env={"PEX_SCRIPT": "../../../bin/sh"})
    assert r.returncode != 0 and "not found" in r.stderr


def test_venv_mode(project, tmp_path, run_pex):
    pex = tmp_path / "ruff-venv.pex"
    build(project, pex, "-c", "ruff", "--venv")
    for _ in range(2):
        r = run_pex(pex, "--version")
        assert (r.returncode, r.stdout.strip()) == (0, "ruff 0.8.4"), r.stderr


def test_unknown_script_lists_the_files(project, tmp_path):
    r = build(project, tmp_path / "x.pex", "-c", "nope", check=False)
    assert r.returncode != 0
    assert "greet (file in greet-1.0-py3-none-any.whl)" in r.stderr and "ruff (file in %s)" % RUFF in r.stderr
