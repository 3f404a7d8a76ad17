"""Bytecode shipped in the PEX (`.bytecode/<cache_tag>/<wheel>.zip`, docs/pex-info.md): a cold
start unpacks it beside the installed wheel and imports the wheel's modules without compiling
them; a bundle for another Python is ignored; a damaged or hostile bundle is refused in one line."""
import os
import re
import zipfile

import pytest

from conftest import build_pex, compile_bundle, make_wheel

CODE = {"app/__init__.py": "", "app/main.py": "import lib\n\ndef main():\n    print('ok', lib.VALUE)\n"}


@pytest.fixture(scope="module")
def lib_wheel(tmp_path_factory):
    return make_wheel(tmp_path_factory.mktemp("wheels"), "lib", "1.0",
                      {"lib/__init__.py": "from lib.sub import VALUE\n", "lib/sub.py": "VALUE = 42\n"})


@pytest.fixture
def bundle(tmp_path, python, py_version, lib_wheel):
    if py_version[1] != "CPython":
        pytest.skip("the writer compiles bytecode for CPython targets only")
    return compile_bundle(python, lib_wheel, tmp_path / "lib.bytecode.zip")


def _code_origin(stderr, module):
    """Where `python -v` says the code object of lib/<module> came from."""
    for m in re.finditer(r"# code object from '?([^'\n]*)'?", stderr):
        if (os.sep + "lib" + os.sep) in m.group(1) and (os.sep + module + ".") in m.group(1):
            return m.group(1)
    return None


def _installed(pex_root):
    top = pex_root / "installed"
    return sorted(p for p in top.iterdir() if ".work-" not in p.name) if top.is_dir() else []


@pytest.mark.parametrize("nobc", [False, True])
def test_cold_start_imports_shipped_bytecode(tmp_path, run_pex, pex_root, lib_wheel, bundle, nobc):
    pex = build_pex(tmp_path / "app.pex", code=CODE, wheels=[lib_wheel], entry_point="app.main:main",
                    bytecode={lib_wheel: bundle})
    env = {"PYTHONVERBOSE": "1"}
    if nobc:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    r = run_pex(pex, env=env)  # cold: empty PEX_ROOT
    assert r.returncode == 0 and r.stdout == "ok 42\n", r.stderr
    for module in ("__init__", "sub"):
        where = _code_origin(r.stderr, module)
        assert where and where.endswith(".%s.pyc" % bundle[0]), (module, where)
    [tree] = _installed(pex_root)
    pyc = tree / "lib" / "__pycache__" / ("sub.%s.pyc" % bundle[0])
    assert pyc.read_bytes()[4:8] == b"\x01\x00\x00\x00"  # PEP 552 unchecked hash: no timestamps
    assert oct(pyc.stat().st_mode & 0o777) == "0o644"


def test_bytecode_of_another_python_is_ignored(tmp_path, run_pex, pex_root, lib_wheel, bundle):
    tag, magic, version, path = bundle
    other = ("%08x" % (int(magic, 16) ^ 0xFFFF0000), version)
    for fake_tag, fake_magic in ((tag, other[0]), ("cpython-27", magic)):
        root = pex_root.parent / ("root-" + fake_tag + fake_magic)
        pex = build_pex(tmp_path / ("%s-%s.pex" % (fake_tag, fake_magic)), code=CODE, wheels=[lib_wheel],
                        entry_point="app.main:main", bytecode={lib_wheel: (fake_tag, fake_magic, version, path)})
        r = run_pex(pex, env={"PYTHONVERBOSE": "1", "PEX_ROOT": str(root)})
        assert r.returncode == 0 and r.stdout == "ok 42\n", r.stderr
        assert _code_origin(r.stderr, "sub").endswith("sub.py"), "compiled from source"
        [tree] = _installed(root)
        for pyc in (tree / "lib" / "__pycache__").iterdir():  # what Python wrote: timestamp-based
            assert pyc.read_bytes()[4:8] == b"\x00\x00\x00\x00", pyc


def test_damaged_bundle_is_refused_in_one_line(tmp_path, run_pex, pex_root, lib_wheel, bundle):
    pex = build_pex(tmp_path / "app.pex", code=CODE, wheels=[lib_wheel], entry_point="app.main:main",
                    bytecode={lib_wheel: bundle})
    name = ".bytecode/%s/%s.zip" % (bundle[0], lib_wheel.name)
    with zipfile.ZipFile(str(pex)) as zf:
        info = zf.getinfo(name)
        data = zf.read(name)
    start = info.header_offset + 30 + len(name.encode())  # STORED, no extra field
    raw = bytearray(pex.read_bytes())
    assert raw[start:start + len(data)] == data
    raw[start + len(data) // 2] ^= 0x01
    pex.write_bytes(bytes(raw))
    r = run_pex(pex)
    assert r.returncode != 0 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pexkit: error: ") and name in lines[0], r.stderr
    assert _installed(pex_root) == []
    assert not [p for p in (pex_root / "installed").iterdir()]  # no partial entry either


@pytest.mark.parametrize("entry", [
    "../../escape.{tag}.pyc",
    "lib/__pycache__/../../up/__pycache__/sub.{tag}.pyc",
    "lib/__pycache__/nosource.{tag}.pyc",
    "lib/sub.pyc",
    "lib/__pycache__/sub.cpython-27.pyc",
])
def test_hostile_bundle_entry_is_refused(tmp_path, run_pex, pex_root, lib_wheel, bundle, entry):
    """A bundle whose hash matches PEX-INFO but that holds more than .pyc beside the wheel's own
    modules (a build that wants to plant code or escape the tree)."""
    tag, magic, version, path = bundle
    hostile = tmp_path / "hostile.zip"
    with zipfile.ZipFile(str(path)) as src, zipfile.ZipFile(str(hostile), "w") as out:
        for n in src.namelist():
            out.writestr(n, src.read(n))
        out.writestr(entry.format(tag=tag), b"planted")
    pex = build_pex(tmp_path / "app.pex", code=CODE, wheels=[lib_wheel], entry_point="app.main:main",
                    bytecode={lib_wheel: (tag, magic, version, hostile)})
    r = run_pex(pex)
    assert r.returncode != 0, r.stdout
    assert r.stderr.startswith("pexkit: error: ") and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert _installed(pex_root) == []
    planted = [os.path.join(d, f) for d, _, fs in os.walk(str(tmp_path)) for f in fs if f.endswith(".pyc")
               and open(os.path.join(d, f), "rb").read() == b"planted"]
    assert planted == []
