"""Entry point kinds, exit codes, argv, PEX_* variables, __file__ data, tools."""
import json
import os
import subprocess

import pytest

from conftest import build_pex, make_wheel

APP = {
    "app/__init__.py": "",
    "app/__main__.py": "import sys\nprint('app main', sys.argv)\n",
    "app/cli.py": (
        "import os, sys\n"
        "def main():\n"
        "    print('cli', sys.argv, os.environ.get('PEX'), sorted(k for k in os.environ if k.startswith('PEX_')))\n"
        "    return int(os.environ.get('APP_EXIT', '0'))\n"
        "def fail():\n"
        "    raise RuntimeError('boom')\n"
        "def text():\n"
        "    return 'bad things'\n"
        "class Obj:\n"
        "    @staticmethod\n"
        "    def run():\n"
        "        print('obj.run'); return 4\n"
    ),
    "app/data.txt": "some data\n",
    "app/read_data.py": (
        "import os\n"
        "with open(os.path.join(os.path.dirname(__file__), 'data.txt')) as f:\n"
        "    print('data:', f.read().strip())\n"
    ),
    "app/env.py": "import os, sys\nprint(os.environ.get('GREETING'), sys.argv[1:])\n",
}
EPS = "[console_scripts]\napp-cli = app.cli:main\napp-obj = app.cli:Obj.run\n"


@pytest.fixture(scope="module")
def tool_wheel(tmp_path_factory):
    d = tmp_path_factory.mktemp("wheels")
    return make_wheel(
        d, "toolpkg", "1.0",
        {
            "toolpkg/__init__.py": "def hello():\n    print('toolpkg hello')\n",
            "toolpkg-1.0.data/scripts/toolscript": "#!python\nimport sys\nprint('toolscript', sys.argv[1:])\n",
            "toolpkg-1.0.data/scripts/shellscript": "#!/bin/sh\necho shell \"$@\" \"$PEX\"\n",
            "toolpkg-1.0.data/data/share/toolpkg/x.txt": "x\n",
        },
        entry_points="[console_scripts]\ntool-hello = toolpkg:hello\n",
    )


@pytest.fixture(scope="module")
def app_pex(tmp_path_factory, tool_wheel, wheels):
    d = tmp_path_factory.mktemp("pex")
    return build_pex(d / "app.pex", code=APP, wheels=[tool_wheel, wheels["six"]],
                     first_party={"app": ("1.0", EPS)}, entry_point="app.cli:main")


def test_function_entry_point_argv_and_exit_code(app_pex, run_pex):
    r = run_pex(app_pex, "x", "--y")
    assert r.returncode == 0, r.stderr
    assert "cli ['%s', 'x', '--y'] %s []" % (app_pex, app_pex) in r.stdout
    r = run_pex(app_pex, env={"APP_EXIT": "7"})
    assert r.returncode == 7
    # warm start behaves the same
    r2 = run_pex(app_pex, "x", "--y")
    assert r2.stdout.split() == run_pex(app_pex, "x", "--y").stdout.split()


def test_exception_and_string_return(app_pex, run_pex):
    r = run_pex(app_pex, env={"PEX_MODULE": "app.cli:fail"})
    assert r.returncode == 1 and "RuntimeError: boom" in r.stderr
    r = run_pex(app_pex, env={"PEX_MODULE": "app.cli:text"})
    assert r.returncode == 1 and "bad things" in r.stderr


def test_module_entry_and_package_main(app_pex, run_pex):
    r = run_pex(app_pex, "a", env={"PEX_MODULE": "app"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "app main ['%s', 'a']" % app_pex


def test_dotted_attribute_entry(app_pex, run_pex):
    r = run_pex(app_pex, env={"PEX_MODULE": "app.cli:Obj.run"})
    assert (r.returncode, r.stdout.strip()) == (4, "obj.run")


def test_console_scripts_first_party_and_wheel(app_pex, run_pex):
    r = run_pex(app_pex, env={"PEX_SCRIPT": "app-obj"})
    assert (r.returncode, r.stdout.strip()) == (4, "obj.run"), r.stderr
    r = run_pex(app_pex, env={"PEX_SCRIPT": "tool-hello"})
    assert (r.returncode, r.stdout.strip()) == (0, "toolpkg hello"), r.stderr
    r = run_pex(app_pex, "q", env={"PEX_SCRIPT": "toolscript"})
    assert (r.returncode, r.stdout.strip()) == (0, "toolscript ['q']"), r.stderr
    r = run_pex(app_pex, "s1", env={"PEX_SCRIPT": "shellscript"})
    assert (r.returncode, r.stdout.strip()) == (0, "shell s1 %s" % app_pex), r.stderr
    r = run_pex(app_pex, env={"PEX_SCRIPT": "nope"})
    assert r.returncode != 0
    assert "script 'nope' not found" in r.stderr and "app-cli" in r.stderr and "tool-hello" in r.stderr


def test_script_from_pex_info(tmp_path, app_pex, tool_wheel, run_pex):
    pex = build_pex(tmp_path / "s.pex", code=APP, wheels=[tool_wheel], first_party={"app": ("1.0", EPS)}, script="app-cli")
    r = run_pex(pex, "z")
    assert r.returncode == 0 and "cli ['%s', 'z']" % pex in r.stdout, r.stderr


def test_file_relative_data(app_pex, run_pex):
    r = run_pex(app_pex, env={"PEX_MODULE": "app.read_data"})
    assert (r.returncode, r.stdout.strip()) == (0, "data: some data"), r.stderr


def test_pex_env_stripped_and_pex_set(app_pex, run_pex, pex_root):
    r = run_pex(app_pex, env={"PEX_VERBOSE": "0", "PEX_EXTRA_SYS_PATH": "/nonexistent"})
    assert r.returncode == 0, r.stderr
    assert "%s []" % app_pex in r.stdout  # no PEX_* left, PEX set


def test_strip_pex_env_false_and_inject(tmp_path, run_pex):
    pex = build_pex(tmp_path / "e.pex", code=APP, entry_point="app.env", strip_pex_env=False,
                    inject_env={"GREETING": "hi"}, inject_args=["--injected"])
    r = run_pex(pex, "user", env={"PEX_VERBOSE": "0"})
    assert r.stdout.strip() == "hi ['--injected', 'user']", r.stderr
    r = run_pex(pex, env={"GREETING": "mine"})
    assert r.stdout.strip() == "mine ['--injected']"
    pex2 = build_pex(tmp_path / "e2.pex", code={"m.py": "import os\nprint(os.environ.get('PEX_VERBOSE'))\n"},
                     entry_point="m", strip_pex_env=False)
    assert run_pex(pex2, env={"PEX_VERBOSE": "0"}).stdout.strip() == "0"


def test_pex_interpreter(app_pex, run_pex, tmp_path):
    r = run_pex(app_pex, "-c", "import sys, six, app; print('ok', six.__name__, sys.argv)", "arg",
                env={"PEX_INTERPRETER": "1"})
    assert (r.returncode, r.stdout.strip()) == (0, "ok six ['-c', 'arg']"), r.stderr
    script = tmp_path / "s.py"
    script.write_text("import sys, toolpkg\nprint('script', sys.argv)\nsys.exit(5)\n")
    r = run_pex(app_pex, script, "1", env={"PEX_INTERPRETER": "1"})
    assert (r.returncode, r.stdout.strip()) == (5, "script ['%s', '1']" % script), r.stderr
    r = run_pex(app_pex, tmp_path / "missing.py", env={"PEX_INTERPRETER": "1"})
    assert r.returncode == 2 and "can't open file" in r.stderr and "Traceback" not in r.stderr, r.stderr
    r = run_pex(app_pex, "-m", "app", env={"PEX_INTERPRETER": "1"})
    assert r.stdout.startswith("app main"), r.stderr
    r = run_pex(app_pex, env={"PEX_INTERPRETER": "1"}, input="import six\nprint('repl', six.__name__)\n")
    assert r.returncode == 0 and "repl six" in r.stdout, r.stderr


def test_pex_path_and_extra_sys_path(tmp_path, app_pex, run_pex, wheels):
    other = build_pex(tmp_path / "other.pex", code={"othermod.py": "X = 'from other'\n"}, wheels=[wheels["attrs"]])
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "extramod.py").write_text("Y = 'from extra'\n")
    code = "import othermod, extramod, attrs; print(othermod.X, extramod.Y, attrs.__name__)"
    r = run_pex(app_pex, "-c", code, env={"PEX_INTERPRETER": "1", "PEX_PATH": str(other), "PEX_EXTRA_SYS_PATH": str(extra)})
    assert r.stdout.strip() == "from other from extra attrs", r.stderr


def test_verbose_explains(app_pex, run_pex):
    r = run_pex(app_pex, env={"PEX_VERBOSE": "1"})
    assert r.returncode == 0
    assert "chose six-1.16.0-py2.py3-none-any.whl for six" in r.stderr
    assert "entry func app.cli main (from entry_point)" in r.stderr
    assert " ms]" in r.stderr


def test_tools_info_and_venv(app_pex, run_pex, tmp_path, python):
    r = run_pex(app_pex, "info", env={"PEX_TOOLS": "1"})
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["pex_info"]["entry_point"] == "app.cli:main"
    assert out["selected_wheels"]["six"] == "six-1.16.0-py2.py3-none-any.whl"
    dest = tmp_path / "exported"
    r = run_pex(app_pex, "venv", dest, env={"PEX_TOOLS": "1"})
    assert r.returncode == 0, r.stderr
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith("PEX"))
    p = subprocess.run([str(dest / "bin" / "python"), "-c", "import six, toolpkg, app, sys; print(sys.prefix)"],
                       stdout=subprocess.PIPE, universal_newlines=True, env=env)
    assert p.stdout.strip() == str(dest)
    p = subprocess.run([str(dest / "bin" / "app-cli"), "w"], stdout=subprocess.PIPE, universal_newlines=True, env=env)
    assert p.returncode == 0 and p.stdout.startswith("cli [")
    p = subprocess.run([str(dest / "pex"), "v"], stdout=subprocess.PIPE, universal_newlines=True, env=env)
    assert p.returncode == 0 and "'v'" in p.stdout


def test_loose_layout(tmp_path, run_pex, wheels):
    pex = build_pex(tmp_path / "loose", code=APP, wheels=[wheels["six"]], entry_point="app.cli:main", layout="loose")
    r = run_pex(pex, "l")
    assert r.returncode == 0 and "cli ['%s', 'l']" % pex in r.stdout, r.stderr
    assert run_pex(pex, "l").stdout == r.stdout


def test_signal_exit(tmp_path, run_pex):
    pex = build_pex(tmp_path / "sig.pex", code={"k.py": "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n"}, entry_point="k")
    assert run_pex(pex).returncode == -15


def test_bad_format_is_refused(tmp_path, run_pex):
    import zipfile
    pex = build_pex(tmp_path / "f.pex", code={"m.py": ""}, entry_point="m")
    with zipfile.ZipFile(str(pex)) as zf:
        entries = [(i, zf.read(i)) for i in zf.infolist()]
    bad = tmp_path / "bad.pex"
    with zipfile.ZipFile(str(bad), "w") as zf:
        for i, data in entries:
            if i.filename == "PEX-INFO":
                data = data.replace(b'"format": 1', b'"format": 99')
            zf.writestr(i, data)
    r = run_pex(bad)
    assert r.returncode != 0 and "unsupported PEX-INFO format 99" in r.stderr


def test_relative_pex_path(app_pex, run_pex):
    r = run_pex(app_pex.name, "rel", cwd=str(app_pex.parent))
    assert r.returncode == 0, r.stderr
    assert "cli ['%s', 'rel']" % app_pex in r.stdout


def test_two_copies_of_a_loose_pex(tmp_path, run_pex):
    a = build_pex(tmp_path / "a", code={"m.py": "print(__file__)\n"}, entry_point="m", layout="loose")
    import shutil
    b = tmp_path / "b"
    shutil.copytree(str(a), str(b))
    assert run_pex(a).stdout.strip() == str(a / "m.py")
    assert run_pex(b).stdout.strip() == str(b / "m.py")
    shutil.rmtree(str(a))
    assert run_pex(b).stdout.strip() == str(b / "m.py")


def test_multiprocessing_spawn(tmp_path, run_pex, wheels):
    code = {"mpapp.py": (
        "import multiprocessing as mp\n"
        "def sq(x):\n"
        "    import six\n"
        "    return x * x\n"
        "def main():\n"
        "    with mp.get_context('spawn').Pool(2) as p:\n"
        "        print(p.map(sq, [1, 2, 3]))\n"
    )}
    pex = build_pex(tmp_path / "mp.pex", code=code, wheels=[wheels["six"]], entry_point="mpapp:main")
    for _ in range(2):
        r = run_pex(pex)
        assert (r.returncode, r.stdout.strip()) == (0, "[1, 4, 9]"), r.stderr


def test_installed_record_lists_installed_paths(app_pex, run_pex, pex_root):
    import base64
    import csv
    import glob
    import hashlib

    assert run_pex(app_pex, env={"PEX_SCRIPT": "tool-hello"}).returncode == 0
    (record,) = glob.glob(str(pex_root / "installed" / "*" / "toolpkg-1.0.dist-info" / "RECORD"))
    root = os.path.dirname(os.path.dirname(record))
    with open(record, newline="") as f:
        rows = {r[0]: r for r in csv.reader(f) if r}
    assert not [p for p in rows if ".data/" in p]
    for path in ["bin/toolscript", "bin/shellscript", "data/share/toolpkg/x.txt", "toolpkg-1.0.dist-info/INSTALLER"]:
        assert path in rows, sorted(rows)
    # The rewritten script is recorded with the hash and size of what was written.
    with open(os.path.join(root, "bin", "toolscript"), "rb") as f:
        data = f.read()
    assert data.startswith(b"#!/usr/bin/env python3")
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    assert rows["bin/toolscript"][1:] == ["sha256=" + digest, str(len(data))]
