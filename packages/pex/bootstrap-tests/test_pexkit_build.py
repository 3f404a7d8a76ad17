"""The writer/runtime contract end to end: PEXes made by `pexkit build` (engineer C's writer, from
packages/pex/dist) in every layout run under the interpreter under test. Skipped when node or
the built CLI is missing (run `npx tsc -b packages/pex/tsconfig.lib.json`)."""
import hashlib
import json
import shutil
import subprocess

import pytest

from conftest import REPO

CLI = REPO / "packages/pex/dist/cli/main.js"
CLI_CODE = '''import os, sys
import attrs, six

def main():
    here = os.path.dirname(__file__)
    with open(os.path.join(here, "data.txt")) as f:
        data = f.read().strip()
    print("demo", six.__version__, attrs.__version__, sys.argv[1:], data)
    return int(os.environ.get("DEMO_EXIT", "0"))
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory, wheels):
    if not shutil.which("node") or not CLI.exists():
        pytest.fail("node or packages/pex/dist/cli/main.js missing: build @pexkit/pex first (npx nx build pex)")
    d = tmp_path_factory.mktemp("proj")
    (d / "src/demo").mkdir(parents=True)
    (d / "pyproject.toml").write_text(
        '[project]\nname = "demo-app"\nversion = "1.2.0"\nrequires-python = ">=3.8"\n'
        'dependencies = ["six==1.16.0", "attrs==23.2.0"]\n\n[project.scripts]\ndemo = "demo.cli:main"\n')
    (d / "src/demo/__init__.py").write_text("")
    (d / "src/demo/cli.py").write_text(CLI_CODE)
    (d / "src/demo/data.txt").write_text("payload\n")
    lock = "".join("%s --hash=sha256:%s\n" % (req, hashlib.sha256(wheels[k].read_bytes()).hexdigest())
                   for req, k in (("six==1.16.0", "six"), ("attrs==23.2.0", "attrs")))
    (d / "requirements.txt").write_text(lock)
    return d


def build(project, out, *extra):
    r = subprocess.run(["node", str(CLI), "build", "--project", str(project), "--lock", str(project / "requirements.txt"),
                        "-c", "demo", "--find-links", str(REPO / "tmp/runtime-wheels"), "--offline",
                        "--cache-dir", str(project / ".pexkit-cache"), "-o", str(out), "-q"] + list(extra),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    if r.returncode != 0:
        pytest.fail("pexkit build failed: %s" % r.stderr.strip())
    return out


@pytest.mark.parametrize("layout", ["zipapp", "packed", "loose"])
def test_layouts_cold_and_warm(project, tmp_path, run_pex, layout):
    pex = build(project, tmp_path / ("demo-" + layout), "--layout", layout)
    for _ in range(2):
        r = run_pex(pex, "x", env={"DEMO_EXIT": "3"})
        assert (r.returncode, r.stdout.strip()) == (3, "demo 1.16.0 23.2.0 ['x'] payload"), r.stderr


def test_venv_and_tools(project, tmp_path, run_pex):
    pex = build(project, tmp_path / "demo-venv.pex", "--venv")
    for _ in range(2):
        r = run_pex(pex, "v")
        assert (r.returncode, r.stdout.strip()) == (0, "demo 1.16.0 23.2.0 ['v'] payload"), r.stderr
    r = run_pex(pex, "info", env={"PEX_TOOLS": "1"})
    info = json.loads(r.stdout)
    assert info["pex_info"]["entry_point"] == "demo.cli:main"
    assert sorted(info["selected_wheels"]) == ["attrs", "six"]
