"""The wheels of a PEX are one sys.path entry (`PEX_ROOT/sites/<key>/`, site_dir.py), not one per
wheel: namespace packages split across wheels, .pth files, `__file__`-relative data, distribution
metadata and a module two wheels ship all behave as they did with one entry per wheel."""
import os
import sys

import pytest

from conftest import build_pex, make_wheel
from test_namespaces_venv import CODE as NS_CODE, EXPECTED as NS_EXPECTED

PROBE = (
    "import json, os, sys\n"
    "def main():\n"
    "    import importlib.metadata as md, clash, withdata\n"
    "    root = os.environ['SEEN_ROOT']\n"
    "    ours = [p for p in sys.path if p.startswith(root + os.sep)]\n"
    "    print(json.dumps({'ours': [os.path.relpath(p, root).split(os.sep)[0] for p in ours],\n"
    "                      'dists': sorted(d.metadata['Name'] for d in md.distributions()),\n"
    "                      'clash': clash.WHO, 'data': withdata.read(),\n"
    "                      'real': os.path.realpath(withdata.__file__).startswith(os.path.join(root, 'installed'))}))\n"
)


@pytest.fixture(scope="module")
def probe_wheels(tmp_path_factory):
    d = tmp_path_factory.mktemp("sitew")
    return [
        make_wheel(d, "aaa-first", "1.0", {"clash.py": "WHO = 'aaa-first'\n"}),
        make_wheel(d, "zzz-second", "1.0", {"clash.py": "WHO = 'zzz-second'\n"}),
        make_wheel(d, "withdata", "1.0", {
            "withdata/__init__.py": (
                "import os\n"
                "def read():\n"
                "    with open(os.path.join(os.path.dirname(__file__), 'res', 'value.txt')) as f:\n"
                "        return f.read().strip()\n"),
            "withdata/res/value.txt": "from beside __file__\n",
        }),
    ]


def test_wheels_are_one_sys_path_entry(tmp_path, run_pex, pex_root, probe_wheels):
    import json

    pex = build_pex(tmp_path / "app.pex", code={"probe.py": PROBE}, wheels=probe_wheels, entry_point="probe:main")
    seen = []
    for _ in range(2):  # cold, then the warm fast path
        r = run_pex(pex, env={"SEEN_ROOT": str(pex_root.resolve())})
        assert r.returncode == 0, r.stderr
        seen.append(json.loads(r.stdout))
    assert seen[0] == seen[1]
    out = seen[0]
    if sys.platform == "win32":
        assert out["ours"].count("installed") == 3
    else:
        assert out["ours"] == ["code", "sites"], out["ours"]
    mine = ("aaa-first", "withdata", "zzz-second")  # PyPy's stdlib has dists of its own (cffi)
    assert [n for n in out["dists"] if n in mine] == list(mine)
    assert out["clash"] == "aaa-first"  # the wheel earlier on the path wins, as with one entry each
    assert out["data"] == "from beside __file__" and out["real"]
    [site] = os.listdir(str(pex_root / "sites"))
    links = []
    for d, dirs, files in os.walk(str(pex_root / "sites" / site)):  # symlinks (or dirs merging them)
        for name in [f for f in files if not f.endswith(".pyc")] + [n for n in dirs if os.path.islink(os.path.join(d, n))]:
            path = os.path.join(d, name)
            assert os.path.islink(path) and not os.path.isabs(os.readlink(path)), path
            links.append(os.path.relpath(path, str(pex_root / "sites" / site)))
    assert "withdata" in links and "__pycache__" not in links  # both wheels have one: merged


def test_namespaces_and_pth_through_the_site_dir(tmp_path, run_pex, pex_root):
    from test_namespaces_venv import ns_wheels as fixture  # noqa: F401 (the same wheels)

    d = tmp_path / "w"
    d.mkdir()
    wheels = fixture.__wrapped__(type("F", (), {"mktemp": lambda self, name: d})())
    pex = build_pex(tmp_path / "ns.pex", code=NS_CODE, wheels=wheels, entry_point="main:main")
    for _ in range(2):
        r = run_pex(pex)
        assert (r.returncode, r.stdout.strip()) == (0, NS_EXPECTED), r.stderr
    sites = pex_root / "sites"
    [site] = os.listdir(str(sites))
    merged = sites / site / "pu"  # in two wheels: a real directory merging both
    assert merged.is_dir() and not os.path.islink(str(merged))
    assert sorted(n for n in os.listdir(str(merged)) if n.endswith(".py")) == ["__init__.py", "a.py", "b.py"]


def test_bytecode_written_through_the_site_dir_stays_in_pex_root(tmp_path, run_pex, pex_root, probe_wheels):
    """Under PYTHONDONTWRITEBYTECODE=1 the runtime caches .pyc for modules it imports through
    the site dir; they land in the installed trees (or, for a top-level module of a merged dir,
    the site dir's own __pycache__), never elsewhere."""
    pex = build_pex(tmp_path / "app.pex", code={"probe.py": PROBE}, wheels=probe_wheels, entry_point="probe:main")
    env = {"SEEN_ROOT": str(pex_root.resolve()), "PYTHONDONTWRITEBYTECODE": "1"}
    for _ in range(2):
        r = run_pex(pex, env=env)
        assert r.returncode == 0, r.stderr
    pycs = [os.path.join(d, f) for d, _, fs in os.walk(str(pex_root)) for f in fs if f.endswith(".pyc")]
    assert any("withdata" in p for p in pycs) and any("clash." in p for p in pycs), pycs
    r = run_pex(pex, env=dict(env, PYTHONVERBOSE="1"))
    assert r.returncode == 0
    assert "withdata/__pycache__/__init__." in r.stderr.replace(os.sep, "/")
    outside = [os.path.join(d, f) for d, _, fs in os.walk(str(tmp_path)) for f in fs
               if f.endswith(".pyc") and not os.path.join(d, f).startswith(str(pex_root))]
    assert outside == []
