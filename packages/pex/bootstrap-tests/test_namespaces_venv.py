"""Namespace packages (pkgutil, pkg_resources-style -nspkg.pth, PEP 420) spanning wheels and
first-party code, .pth files in wheels, and venv mode."""
import os
import subprocess

import pytest

from conftest import build_pex, make_wheel

PKGUTIL_INIT = "__path__ = __import__('pkgutil').extend_path(__path__, __name__)\n"
# what setuptools writes for `namespace_packages` installs: no __init__.py, a -nspkg.pth instead
NSPKG_PTH = (
    "import sys, types, os;has_mfs = sys.version_info > (3, 5);"
    "p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('oldns',));"
    "importlib = has_mfs and __import__('importlib.util');"
    "has_mfs and __import__('importlib.machinery');"
    "m = has_mfs and sys.modules.setdefault('oldns', importlib.util.module_from_spec("
    "importlib.machinery.PathFinder.find_spec('oldns', [os.path.dirname(p)])));"
    "m = m or sys.modules.setdefault('oldns', types.ModuleType('oldns'));"
    "mp = (m or []) and m.__dict__.setdefault('__path__',[]);"
    "(p not in mp) and mp.append(p)\n"
)


@pytest.fixture(scope="module")
def ns_wheels(tmp_path_factory):
    d = tmp_path_factory.mktemp("nsw")
    return [
        make_wheel(d, "pu-a", "1.0", {"pu/__init__.py": PKGUTIL_INIT, "pu/a.py": "X = 'pu.a'\n"}),
        make_wheel(d, "pu-b", "1.0", {"pu/__init__.py": PKGUTIL_INIT, "pu/b.py": "X = 'pu.b'\n"}),
        make_wheel(d, "pep420-a", "1.0", {"nsp/a/__init__.py": "X = 'nsp.a'\n"}),
        make_wheel(d, "pep420-b", "1.0", {"nsp/b/__init__.py": "X = 'nsp.b'\n"}),
        make_wheel(d, "old-a", "1.0", {"oldns/a.py": "X = 'oldns.a'\n", "old_a-1.0-nspkg.pth": NSPKG_PTH}),
        make_wheel(d, "pthwheel", "1.0", {"pthwheel.pth": "import os; os.environ['PTH_RAN'] = 'yes'\n",
                                          "pthwheel_extra/extra_mod.py": "X = 'via .pth path line'\n",
                                          "pthwheel-paths.pth": "pthwheel_extra\n"}),
    ]


CODE = {
    "pu/__init__.py": PKGUTIL_INIT,
    "pu/mine.py": "X = 'pu.mine'\n",
    "nsp/mine/__init__.py": "X = 'nsp.mine'\n",
    "main.py": (
        "import os\n"
        "def main():\n"
        "    import pu.a, pu.b, pu.mine, nsp.a, nsp.b, nsp.mine, oldns.a, extra_mod\n"
        "    print(pu.a.X, pu.b.X, pu.mine.X, nsp.a.X, nsp.b.X, nsp.mine.X, oldns.a.X, extra_mod.X.replace(' ', '_'),\n"
        "          os.environ.get('PTH_RAN'))\n"
    ),
}
EXPECTED = "pu.a pu.b pu.mine nsp.a nsp.b nsp.mine oldns.a via_.pth_path_line yes"


def test_namespace_packages_and_pth(tmp_path, run_pex, ns_wheels):
    pex = build_pex(tmp_path / "ns.pex", code=CODE, wheels=ns_wheels, entry_point="main:main")
    for _ in range(2):  # cold and warm
        r = run_pex(pex)
        assert (r.returncode, r.stdout.strip()) == (0, EXPECTED), r.stderr


def test_venv_mode(tmp_path, run_pex, ns_wheels, wheels, pex_root):
    code = dict(CODE)
    code["main.py"] += (
        "def where():\n"
        "    import sys, six\n"
        "    main()\n"
        "    print(sys.prefix == sys.base_prefix, sys.argv, six.__file__.startswith(sys.prefix), os.environ.get('PEX') == sys.argv[0])\n"
        "    return 3\n"
    )
    pex = build_pex(tmp_path / "v.pex", code=code, wheels=ns_wheels + [wheels["six"]], entry_point="main:where", venv=True)
    outs = []
    for _ in range(2):
        r = run_pex(pex, "arg", env={"PEX_VERBOSE": "1"} if not outs else {})
        assert r.returncode == 3, r.stderr
        outs.append(r.stdout)
    assert outs[0] == outs[1]
    lines = outs[0].strip().splitlines()
    assert lines[0] == EXPECTED
    assert lines[1] == "False ['%s', 'arg'] True True" % pex
    venvs = list((pex_root / "venvs").glob("*/*/pyvenv.cfg"))
    assert len(venvs) == 1
    # the exec'd venv python is hermetic too
    r = run_pex(pex, env={"PYTHONPATH": str(tmp_path)})
    assert r.returncode == 3


def test_venv_mode_console_script(tmp_path, run_pex, pex_root):
    code = {"cli.py": "import sys\ndef main():\n    print('cli', sys.argv[1:])\n"}
    pex = build_pex(tmp_path / "c.pex", code=code, first_party={"cli-app": ("2.0", "[console_scripts]\nmycli = cli:main\n")},
                    script="mycli", venv=True)
    r = run_pex(pex, "a")
    assert (r.returncode, r.stdout.strip()) == (0, "cli ['a']"), r.stderr
    scripts = list((pex_root / "venvs").glob("*/*/bin/mycli"))
    assert len(scripts) == 1
    p = subprocess.run([str(scripts[0]), "b"], stdout=subprocess.PIPE, universal_newlines=True)
    assert p.stdout.strip() == "cli ['b']"
