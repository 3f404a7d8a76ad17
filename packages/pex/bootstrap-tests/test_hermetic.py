"""Hermeticity: site-packages, user site and PYTHONPATH are invisible unless inherit_path says so."""
import subprocess
import sys

import pytest

from conftest import build_pex, make_wheel

PROBE = (
    "import importlib, sys\n"
    "def main():\n"
    "    for name in ('sitemod', 'ppmod', 'shared'):\n"
    "        try:\n"
    "            m = importlib.import_module(name)\n"
    "            print(name, getattr(m, 'WHERE', '?'))\n"
    "        except ImportError:\n"
    "            print(name, 'missing')\n"
)


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory, python):
    """A venv of the interpreter under test with `sitemod` and `shared` in its site-packages."""
    d = tmp_path_factory.mktemp("venv")
    subprocess.run([python, "-m", "venv", "--without-pip", str(d / "v")], check=True)
    site = subprocess.run([str(d / "v" / "bin" / "python"), "-c", "import site; print(site.getsitepackages()[0])"],
                          stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout.strip()
    with open(site + "/sitemod.py", "w") as f:
        f.write("WHERE = 'site-packages'\n")
    with open(site + "/shared.py", "w") as f:
        f.write("WHERE = 'site-packages'\n")
    # a .pth import in site-packages: the module it imports must be scrubbed too
    with open(site + "/zz_probe.pth", "w") as f:
        f.write("import sitepth\n")
    with open(site + "/sitepth.py", "w") as f:
        f.write("WHERE = 'site .pth'\n")
    return str(d / "v" / "bin" / "python")


@pytest.fixture(scope="module")
def pythonpath(tmp_path_factory):
    d = tmp_path_factory.mktemp("pythonpath")
    (d / "ppmod.py").write_text("WHERE = 'PYTHONPATH'\n")
    (d / "shared.py").write_text("WHERE = 'PYTHONPATH'\n")
    return str(d)


@pytest.fixture(scope="module")
def shared_wheel(tmp_path_factory):
    return make_wheel(tmp_path_factory.mktemp("w"), "shared", "1.0", {"shared.py": "WHERE = 'pex wheel'\n"})


def _run(run_pex, pex, venv_python, pythonpath, **env):
    e = {"PYTHONPATH": pythonpath}
    e.update(env)
    r = run_pex(pex, interpreter=venv_python, env=e)
    assert r.returncode == 0, r.stderr
    return dict(line.split(" ", 1) for line in r.stdout.strip().splitlines())


def test_site_packages_and_pythonpath_invisible(tmp_path, run_pex, venv_python, pythonpath, shared_wheel):
    # sanity: without the PEX both are importable from this interpreter
    out = subprocess.run([venv_python, "-c", "import sitemod, ppmod, sitepth"], env={"PYTHONPATH": pythonpath})
    assert out.returncode == 0
    pex = build_pex(tmp_path / "h.pex", code={"probe.py": PROBE}, wheels=[shared_wheel], entry_point="probe:main")
    for _ in range(2):  # cold, then warm (fast path)
        got = _run(run_pex, pex, venv_python, pythonpath)
        assert got == {"sitemod": "missing", "ppmod": "missing", "shared": "pex wheel"}
    r = run_pex(pex, "-c", "import sys; print('sitepth' in sys.modules, [p for p in sys.path if 'site-packages' in p])",
                interpreter=venv_python, env={"PYTHONPATH": pythonpath, "PEX_INTERPRETER": "1"})
    assert r.stdout.strip() == "False []", r.stderr


def test_inherit_path_fallback_and_prefer(tmp_path, run_pex, venv_python, pythonpath, shared_wheel):
    pex = build_pex(tmp_path / "h.pex", code={"probe.py": PROBE}, wheels=[shared_wheel], entry_point="probe:main")
    got = _run(run_pex, pex, venv_python, pythonpath, PEX_INHERIT_PATH="fallback")
    assert got == {"sitemod": "site-packages", "ppmod": "PYTHONPATH", "shared": "pex wheel"}
    got = _run(run_pex, pex, venv_python, pythonpath, PEX_INHERIT_PATH="prefer")
    assert got["shared"] == "PYTHONPATH" and got["sitemod"] == "site-packages"
    # the build option works too, and a later plain run is hermetic again
    pex2 = build_pex(tmp_path / "h2.pex", code={"probe.py": PROBE}, wheels=[shared_wheel], entry_point="probe:main",
                     inherit_path="fallback")
    for _ in range(2):
        assert _run(run_pex, pex2, venv_python, pythonpath)["ppmod"] == "PYTHONPATH"
    assert _run(run_pex, pex, venv_python, pythonpath)["ppmod"] == "missing"


def test_user_site_invisible(tmp_path, run_pex, python):
    home = tmp_path / "home"
    user_site = subprocess.run([python, "-c", "import site; print(site.getusersitepackages())"],
                               env={"HOME": str(home)}, stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()
    if not user_site.startswith(str(home)):
        pytest.skip("user site not under HOME for this interpreter")
    import os
    os.makedirs(user_site)
    with open(os.path.join(user_site, "sitemod.py"), "w") as f:
        f.write("WHERE = 'user site'\n")
    pex = build_pex(tmp_path / "u.pex", code={"probe.py": PROBE}, entry_point="probe:main")
    r = run_pex(pex, env={"HOME": str(home)})
    assert "sitemod missing" in r.stdout, (r.stdout, r.stderr)
    r = run_pex(pex, env={"HOME": str(home), "PEX_INHERIT_PATH": "fallback"})
    assert "sitemod user site" in r.stdout, (r.stdout, r.stderr)
