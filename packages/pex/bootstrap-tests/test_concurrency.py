"""Many simultaneous cold starts sharing one empty PEX_ROOT; a start killed mid-extraction."""
import os
import re
import signal
import subprocess
import time

from conftest import build_pex

APP = "import six, sys\ndef main():\n    import attrs\n    print('%s', six.__version__, attrs.__version__)\n"


def _env(pex_root, **extra):
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith("PEX") and k != "PYTHONPATH")
    env.update(PEX_ROOT=str(pex_root), PEX_VERBOSE="1")
    env.update(extra)
    return env


def _start_all(python, pexes, env):
    procs = [subprocess.Popen([python, str(p)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True) for p in pexes]
    return [(p.communicate(timeout=300), p.returncode) for p in procs]


def _installs(results):
    counts = {}
    for (_, err), _ in results:
        for wheel in re.findall(r"installed (\S+\.whl) into", err):
            counts[wheel] = counts.get(wheel, 0) + 1
    return counts


def test_fifty_cold_starts_of_one_pex(tmp_path, python, wheels):
    pex = build_pex(tmp_path / "same.pex", code={"app.py": APP % "same"}, wheels=[wheels["six"], wheels["attrs"]],
                    entry_point="app:main")
    root = tmp_path / "root"
    results = _start_all(python, [pex] * 50, _env(root))
    for (out, err), rc in results:
        assert rc == 0, err
        assert out.strip() == "same 1.16.0 23.2.0"
    assert _installs(results) == {"six-1.16.0-py2.py3-none-any.whl": 1, "attrs-23.2.0-py3-none-any.whl": 1}
    assert sum(err.count("extracted first-party code") for (_, err), _ in results) == 1
    assert not [n for n in os.listdir(str(root / "installed")) if ".work-" in n]


def test_ten_different_pexes_sharing_wheels(tmp_path, python, wheels):
    pexes = [build_pex(tmp_path / ("p%d.pex" % i), code={"app.py": APP % ("p%d" % i)},
                       wheels=[wheels["six"], wheels["attrs"]], entry_point="app:main") for i in range(10)]
    root = tmp_path / "root"
    results = _start_all(python, pexes, _env(root))
    for i, ((out, err), rc) in enumerate(results):
        assert rc == 0, err
        assert out.strip() == "p%d 1.16.0 23.2.0" % i
    assert _installs(results) == {"six-1.16.0-py2.py3-none-any.whl": 1, "attrs-23.2.0-py3-none-any.whl": 1}
    assert len(os.listdir(str(root / "installed"))) == 2
    assert len(os.listdir(str(root / "code"))) == 10


def test_start_killed_during_extraction_then_rerun(tmp_path, python, wheels):
    pex = build_pex(tmp_path / "k.pex", code={"app.py": "import six\ndef main():\n    print('k', six.__version__)\n"},
                    wheels=[wheels["six"]], entry_point="app:main")
    root = tmp_path / "root"
    proc = subprocess.Popen([python, str(pex)], env=_env(root, _PEXKIT_TEST_PAUSE_AFTER_INSTALL="60"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    installed = root / "installed"
    deadline = time.time() + 60
    while time.time() < deadline:
        if installed.is_dir() and any(".work-" in n for n in os.listdir(str(installed))):
            break
        time.sleep(0.02)
    else:
        proc.kill()
        raise AssertionError("extraction never started: %s" % proc.communicate()[1])
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    names = os.listdir(str(installed))
    assert all(".work-" in n for n in names), names  # nothing usable was left half-made
    out = subprocess.run([python, str(pex)], env=_env(root), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith("k 1.16.0")
    assert not [n for n in os.listdir(str(installed)) if ".work-" in n]  # the stale work dir was cleaned
