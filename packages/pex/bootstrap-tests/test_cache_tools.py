"""PEX_TOOLS=1 app.pex cache info|prune: what a PEX_ROOT holds; least recently used entries go,
entries a running PEX uses (warm or cold) stay."""
import json
import os
import subprocess
import sys
import time

import pytest

from conftest import BOOTSTRAP, build_pex

_STARTED = []


@pytest.fixture(autouse=True)
def _kill_leftovers():
    yield
    while _STARTED:
        proc = _STARTED.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait()

# Imports attrs only after it was told to go on: a prune in between must not break it.
LAZY = """import os, sys, time
import six
def main():
    if len(sys.argv) > 1:
        open(sys.argv[1], "w").close()
        while not os.path.exists(sys.argv[1] + ".go"):
            time.sleep(0.02)
    import attrs
    print(six.__version__, attrs.__version__)
"""
HELLO = "import six\ndef main():\n    print('hello', six.__version__)\n"


def _tool(run_pex, pex, *args):
    r = run_pex(pex, "cache", *args, env={"PEX_TOOLS": "1"})
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout) if "--json" in args else r.stdout


def _prune_file(python, root, *args):
    """As `pexkit cache prune --pex-root` runs it: cache_tools.py as a file, no PEX running."""
    r = subprocess.run([python, str(BOOTSTRAP / "pexkit_boot" / "cache_tools.py"), str(root), "prune", "--json"]
                       + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _age(root, days):
    """Make every entry and plan under root look last used `days` ago."""
    t = time.time() - days * 86400
    for d, dirs, files in os.walk(str(root)):
        for n in dirs + files:
            os.utime(os.path.join(d, n), (t, t), follow_symlinks=False)


def test_info_counts_what_is_there(tmp_path, python, wheels, pex_root, run_pex):
    pex = build_pex(tmp_path / "a.pex", code={"app.py": LAZY}, wheels=[wheels["six"], wheels["attrs"]],
                    entry_point="app:main")
    assert run_pex(pex).stdout.split() == ["1.16.0", "23.2.0"]
    report = _tool(run_pex, pex, "info", "--json")
    folders = report["folders"]
    assert folders["installed"]["entries"] == 2
    assert folders["installed"]["files"] > 20
    assert folders["installed"]["size"] > 50000
    assert folders["code"]["entries"] == 1 and folders["bootstrap"]["entries"] == 1
    assert folders["pexes"]["entries"] == 1  # the tool run records no plan
    assert report["total_size"] == sum(f["size"] for f in folders.values())
    text = _tool(run_pex, pex, "info")
    assert "installed/" in text and "PEX_ROOT" in text


def test_prune_least_recently_used_first_and_dry_run(tmp_path, python, wheels, pex_root, run_pex):
    old = build_pex(tmp_path / "old.pex", code={"app.py": HELLO}, wheels=[wheels["six"]], entry_point="app:main")
    new = build_pex(tmp_path / "new.pex", code={"app.py": LAZY}, wheels=[wheels["six"], wheels["attrs"]],
                    entry_point="app:main")
    assert run_pex(old).returncode == 0
    _age(pex_root, 40)
    assert run_pex(new).returncode == 0  # cold: makes attrs and its code; six is used again
    assert run_pex(new).returncode == 0  # warm: touches its plan
    dry = _prune_file(python, pex_root, "--older-than", "30d", "--dry-run")
    assert sorted(r["path"].split(os.sep)[0] for r in dry["removed"]) == ["code"]  # old.pex's code only
    assert len(os.listdir(str(pex_root / "code"))) == 2  # a dry run removes nothing
    report = _prune_file(python, pex_root, "--older-than", "30d")
    assert [r["path"] for r in report["removed"]] == [r["path"] for r in dry["removed"]]
    assert report["plans_removed"] == 1  # old.pex's plan named the code that went
    assert len(os.listdir(str(pex_root / "code"))) == 1
    assert len(os.listdir(str(pex_root / "installed"))) == 2  # six is still used by new.pex
    assert not os.listdir(str(pex_root / "trash"))
    # Size: least recently used first (old.pex again, then new.pex), down to nothing at 0.
    assert run_pex(old).stdout.strip() == "hello 1.16.0"
    _age(pex_root, 1)
    assert run_pex(new).returncode == 0
    report = _prune_file(python, pex_root, "--max-size", "0")
    assert report["busy"] == []
    first = sorted(r["path"].split(os.sep)[0] for r in report["removed"][:2])
    assert first == ["bootstrap", "code"]  # used a day ago; new.pex's entries are used now
    for folder in ("code", "installed", "bootstrap", "trash"):
        assert os.listdir(str(pex_root / folder)) == []
    assert not [n for _, _, files in os.walk(str(pex_root / "pexes")) for n in files]  # plans went with them
    assert run_pex(new).stdout.split() == ["1.16.0", "23.2.0"]  # and it starts again


def _start_waiting(python, pex, pex_root, flag):
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith("PEX") and k != "PYTHONPATH")
    env["PEX_ROOT"] = str(pex_root)
    proc = subprocess.Popen([python, str(pex), str(flag)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True)
    _STARTED.append(proc)
    deadline = time.time() + 60
    while not os.path.exists(str(flag)):
        assert proc.poll() is None and time.time() < deadline, proc.communicate()
        time.sleep(0.02)
    return proc


def test_prune_keeps_what_running_pexes_use(tmp_path, python, wheels, pex_root, run_pex):
    pex = build_pex(tmp_path / "a.pex", code={"app.py": LAZY}, wheels=[wheels["six"], wheels["attrs"]],
                    entry_point="app:main")
    other = build_pex(tmp_path / "o.pex", code={"app.py": HELLO}, wheels=[wheels["six"]], entry_point="app:main")
    assert run_pex(other).returncode == 0
    # A cold start (its shared locks on the entries) and a warm one (its lock on the plan).
    cold = _start_waiting(python, pex, pex_root, tmp_path / "cold")
    warm = _start_waiting(python, pex, pex_root, tmp_path / "warm")
    report = _prune_file(python, pex_root, "--max-size", "0")
    kept = sorted(r["path"].split(os.sep)[0] for r in report["busy"])
    assert kept == ["bootstrap", "code", "installed", "installed"], report
    assert [r["path"].split(os.sep)[0] for r in report["removed"]] == ["code"]  # o.pex's
    for flag, proc in ((tmp_path / "cold", cold), (tmp_path / "warm", warm)):
        open(str(flag) + ".go", "w").close()
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert out.split() == ["1.16.0", "23.2.0"]  # attrs imported after the prune
    # Nothing runs now: everything goes.
    report = _prune_file(python, pex_root, "--max-size", "0")
    assert report["busy"] == [] and len(report["removed"]) == 4


def test_prune_skips_a_plan_a_warm_start_holds_even_when_it_is_old(tmp_path, python, wheels, pex_root, run_pex):
    pex = build_pex(tmp_path / "a.pex", code={"app.py": LAZY}, wheels=[wheels["six"], wheels["attrs"]],
                    entry_point="app:main")
    assert run_pex(pex).returncode == 0
    warm = _start_waiting(python, pex, pex_root, tmp_path / "w")
    _age(pex_root, 90)
    report = _prune_file(python, pex_root, "--older-than", "30d")
    # A warm start needs its code and wheels, not the runtime's extracted copy.
    assert [r["path"].split(os.sep)[0] for r in report["removed"]] == ["bootstrap"]
    assert sorted(r["path"].split(os.sep)[0] for r in report["busy"]) == ["code", "installed", "installed"]
    open(str(tmp_path / "w.go"), "w").close()
    out, err = warm.communicate(timeout=60)
    assert warm.returncode == 0, err


def test_bad_options_are_one_line_errors(tmp_path, python, wheels, pex_root, run_pex):
    pex = build_pex(tmp_path / "a.pex", code={"app.py": HELLO}, wheels=[wheels["six"]], entry_point="app:main")
    for args, want in ((["prune"], "needs --older-than"), (["prune", "--max-size", "lots"], "--max-size expects"),
                       (["prune", "--older-than", "3 days"], "--older-than expects"), (["frob"], "unknown cache command")):
        r = run_pex(pex, "cache", *args, env={"PEX_TOOLS": "1"})
        assert r.returncode == 2 and want in r.stderr and "Traceback" not in r.stderr, r.stderr
