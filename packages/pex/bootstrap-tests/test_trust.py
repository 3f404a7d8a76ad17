"""The runtime trusts only what its build or this user made (issue 12, "Trust"): no cache relative to
the working directory, no cache another local user can change or choose, PEX-INFO and wheels checked
against the build's hashes, and one `pexkit: error:` line (no traceback, no half-made cache entry)
for what the runtime itself cannot read or write.

The multi-user tests need root (they create the users `pexkit-alice` and `pexkit-mallory` with
useradd and run the PEX as them); the full-disk test mounts a small tmpfs. Both are skipped, and
say so, where that is not possible."""
import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from conftest import build_pex, make_wheel

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_root = pytest.mark.skipif(not IS_ROOT or not shutil.which("setpriv") or not shutil.which("unshare"),
                                reason="needs root, setpriv and unshare (real users, private mounts)")
APP = "import six\ndef main():\n    print('ran', six.__version__)\n"
PLANTED = "PLANTED-CODE-RAN"


def clean_env(**extra):
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith("PEX") and k not in ("PYTHONPATH", "HOME", "XDG_CACHE_HOME", "TMPDIR"))
    env["PYTHON_COLORS"] = "0"
    env.update(extra)
    return env


def one_error_line(r):
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    return r.returncode != 0 and len(lines) == 1 and lines[0].startswith("pexkit: error: ") and "Traceback" not in r.stderr


@pytest.fixture(scope="session")
def users():
    """{name: (uid, gid)} of two real local users (made once with useradd)."""
    out = {}
    for name in ("pexkit-alice", "pexkit-mallory"):
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            subprocess.run(["useradd", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                            "--user-group", name], check=True)
            pw = pwd.getpwnam(name)
        out[name.split("-")[1]] = (pw.pw_uid, pw.pw_gid)
    return out


@pytest.fixture
def shared(tmp_path):
    """A directory every user can traverse (pytest's own tmp dirs are 0700 root), removed after."""
    d = Path(tempfile.mkdtemp(prefix="pexkit-trust-", dir="/tmp"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(str(d), ignore_errors=True)


def sticky_tmp(base):
    t = base / "tmp"
    t.mkdir()
    t.chmod(0o1777)
    return t


def user_command(uid, gid, argv):
    """The command that runs argv as uid:gid in a private mount namespace where /root (0700,
    where the pyenv interpreters live) is a 0755 tmpfs holding only a bind mount of ~/.pyenv."""
    script = ('set -e; mount --bind /root /mnt; mount -t tmpfs -o mode=755 tmpfs /root; '
              'mkdir /root/.pyenv; mount --bind /mnt/.pyenv /root/.pyenv; '
              'exec setpriv --reuid=%d --regid=%d --clear-groups -- "$@"' % (uid, gid))
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"] + list(argv)


def as_user(python, uid, gid, argv, env, cwd=None, timeout=120):
    """Run argv as uid:gid (see user_command)."""
    return subprocess.run(user_command(uid, gid, argv), env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=timeout)


def chown_tree(path, uid, gid):
    for top, dirs, files in os.walk(str(path)):
        os.lchown(top, uid, gid)
        for n in dirs + files:
            os.lchown(os.path.join(top, n), uid, gid)


def info_of(pex):
    with zipfile.ZipFile(str(pex)) as zf:
        return json.loads(zf.read("PEX-INFO").decode())


def plant_runtime(where, info):
    """A fake runtime at <where>/bootstrap/<bootstrap_hash>/pexkit_boot that prints PLANTED."""
    pkg = Path(where) / "bootstrap" / info["bootstrap_hash"] / "pexkit_boot"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "verify.py").write_text("def check(*a, **k):\n    pass\ndef pex_info(*a):\n    pass\ndef runtime(*a):\n    pass\n")
    (pkg / "boot.py").write_text("def main(*a):\n    print(%r)\n" % PLANTED)


def app_pex(shared, wheels, name="app.pex"):
    pex = build_pex(shared / name, code={"app.py": APP}, wheels=[wheels["six"]], entry_point="app:main")
    pex.chmod(0o755)
    return pex


# -- 1. no cache relative to the working directory ------------------------------------------------

@needs_root
def test_no_home_and_no_passwd_entry_never_imports_from_the_working_dir(shared, python, wheels):
    uid = 54321
    with pytest.raises(KeyError):
        pwd.getpwuid(uid)
    pex = app_pex(shared, wheels)
    work = shared / "work"
    plant_runtime(work, info_of(pex))
    chown_tree(work, uid, uid)
    tmp = sticky_tmp(shared)
    for _ in range(2):  # cold, then warm from the per-user temp root
        r = as_user(python, uid, uid, [python, str(pex)], clean_env(TMPDIR=str(tmp)), cwd=str(work))
        assert PLANTED not in r.stdout
        assert r.returncode == 0 and r.stdout.strip() == "ran 1.16.0", r.stderr
        assert r.stderr.strip() == "pexkit: warning: no PEX_ROOT (no absolute home); using %s/pexkit-%d" % (tmp, uid)
    assert sorted(os.listdir(str(work))) == ["bootstrap"]
    assert (tmp / ("pexkit-%d" % uid) / "installed").is_dir()


def test_relative_xdg_cache_home_is_ignored(tmp_path, python, wheels):
    pex = app_pex(tmp_path, wheels)
    work, home = tmp_path / "work", tmp_path / "home"
    home.mkdir()
    plant_runtime(work / "rel" / "pexkit", info_of(pex))
    r = subprocess.run([python, str(pex)], env=clean_env(XDG_CACHE_HOME="rel", HOME=str(home)), cwd=str(work),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
    assert PLANTED not in r.stdout
    assert r.returncode == 0 and r.stdout.strip() == "ran 1.16.0", r.stderr
    assert (home / ".cache" / "pexkit" / "installed").is_dir()
    assert sorted(os.listdir(str(work / "rel" / "pexkit"))) == ["bootstrap"]


def test_relative_pex_root_is_taken_against_the_working_dir_once(tmp_path, python, wheels):
    code = {"app.py": "import os, six\ndef main():\n    os.chdir('/')\n    import attrs\n    print('ok', attrs.__version__)\n"}
    pex = build_pex(tmp_path / "r.pex", code=code, wheels=[wheels["six"], wheels["attrs"]], entry_point="app:main")
    work = tmp_path / "w"
    work.mkdir()
    for _ in range(2):
        r = subprocess.run([python, str(pex)], env=clean_env(PEX_ROOT="cache"), cwd=str(work),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
        assert r.returncode == 0 and r.stdout.strip() == "ok 23.2.0", r.stderr
    plans = list((work / "cache" / "pexes").glob("*/*.json"))
    assert plans and all(os.path.isabs(p) for p in json.loads(plans[0].read_text())["sys_path"])


# -- 2. other local users: the temp fallback and a shared PEX_ROOT --------------------------------

def _mallory_cache(where, pex, wheels):
    """What mallory plants for alice: installed/<six sha256>/six.py and code/<code_hash>/app.py
    that print PLANTED, in a directory anyone may write."""
    info = info_of(pex)
    for sub, name in (("installed/" + info["distributions"][wheels["six"].name], "six.py"),
                      ("code/" + info["code_hash"], "app.py")):
        d = Path(where) / sub
        d.mkdir(parents=True)
        (d / name).write_text("__version__ = 'x'\ndef main():\n    print(%r)\nprint(%r)\n" % (PLANTED, PLANTED))
    plant_runtime(where, info)
    for top, dirs, files in os.walk(str(where)):
        os.chmod(top, 0o777)


@needs_root
def test_fallback_path_symlinked_by_another_user_is_not_followed(shared, python, wheels, users):
    (a_uid, a_gid), (m_uid, m_gid) = users["alice"], users["mallory"]
    pex = app_pex(shared, wheels)
    tmp = sticky_tmp(shared)
    alices = shared / "alices-dir"  # a directory private to alice, which mallory points the fallback at
    alices.mkdir(mode=0o700)
    os.chown(str(alices), a_uid, a_gid)
    link = tmp / ("pexkit-%d" % a_uid)
    os.symlink(str(alices), str(link))
    os.lchown(str(link), m_uid, m_gid)
    env = clean_env(TMPDIR=str(tmp), HOME="/nonexistent")
    made = []
    for _ in range(3):
        r = as_user(python, a_uid, a_gid, [python, str(pex)], env)
        assert r.returncode == 0 and r.stdout.strip() == "ran 1.16.0", r.stderr
        made.append(sorted(os.listdir(str(tmp))))
    assert os.listdir(str(alices)) == []  # nothing written where mallory's link pointed
    own = tmp / ("pexkit-%d-1" % a_uid)
    assert made == [sorted([link.name, own.name])] * 3  # one own root, reused: no new dir per start
    st = os.lstat(str(own))
    assert st.st_uid == a_uid and stat.S_IMODE(st.st_mode) == 0o700
    assert r.stderr.strip().endswith("; using %s" % own)


@needs_root
def test_fallback_symlink_swapped_during_starts_never_runs_the_other_users_code(shared, python, wheels, users):
    (a_uid, a_gid), (m_uid, m_gid) = users["alice"], users["mallory"]
    pex = app_pex(shared, wheels)
    tmp = sticky_tmp(shared)
    good = shared / "alices-dir"
    good.mkdir(mode=0o700)
    os.chown(str(good), a_uid, a_gid)
    evil = shared / "mallorys-dir"
    _mallory_cache(evil, pex, wheels)
    chown_tree(evil, m_uid, m_gid)
    link = tmp / ("pexkit-%d" % a_uid)
    swapper = ("import os, sys\nlink, a, b = sys.argv[1:]\ni = 0\nwhile True:\n    i += 1\n"
               "    tmp = link + '.new'\n    os.symlink(a if i % 2 else b, tmp)\n    os.rename(tmp, link)\n")
    # mallory may create entries in the sticky dir (but not rename alice's): she makes the link
    proc = subprocess.Popen(user_command(m_uid, m_gid, [python, "-c", swapper, str(link), str(good), str(evil)]))
    try:
        env = clean_env(TMPDIR=str(tmp), HOME="/nonexistent")
        outs = [as_user(python, a_uid, a_gid, [python, str(pex)], env) for _ in range(20)]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    planted = [r for r in outs if PLANTED in r.stdout + r.stderr]
    assert not planted, "%d of %d starts ran mallory's code" % (len(planted), len(outs))
    for r in outs:
        assert r.returncode == 0 and r.stdout.strip() == "ran 1.16.0", r.stderr
    assert os.listdir(str(good)) == []


@needs_root
def test_shared_pex_root_never_runs_a_plan_another_user_wrote(shared, python, wheels, users):
    (a_uid, a_gid), (m_uid, m_gid) = users["alice"], users["mallory"]
    pex = app_pex(shared, wheels)
    tmp = sticky_tmp(shared)
    team = shared / "team"
    team.mkdir()
    team.chmod(0o1777)
    root = team / "cache"  # a PEX_ROOT "shared" between users: mallory made it, anyone writes
    env = clean_env(TMPDIR=str(tmp), HOME="/nonexistent", PEX_ROOT=str(root))
    r = as_user(python, m_uid, m_gid, [python, str(pex)], env)
    assert r.returncode == 0, r.stderr
    evil = root / "evil"
    evil.mkdir()
    (evil / "app.py").write_text("def main():\n    print(%r)\n" % PLANTED)
    for plan_path in (root / "pexes").glob("*/*.json"):
        plan = json.loads(plan_path.read_text())
        plan["sys_path"].insert(0, str(evil))
        plan_path.write_text(json.dumps(plan))
    chown_tree(root, m_uid, m_gid)
    for top, dirs, files in os.walk(str(root)):
        for n in [top] + [os.path.join(top, f) for f in files]:
            os.chmod(n, 0o777 if os.path.isdir(n) else 0o666)
    for _ in range(2):
        r = as_user(python, a_uid, a_gid, [python, str(pex)], env)
        assert PLANTED not in r.stdout
        assert r.returncode == 0 and r.stdout.strip() == "ran 1.16.0", r.stderr
        assert r.stderr.strip() == ("pexkit: warning: PEX_ROOT %s is not writable, or not private to this user; "
                                    "using %s/pexkit-%d" % (root, tmp, a_uid))


@needs_root
def test_own_pex_root_writable_by_others_is_not_trusted(shared, python, wheels, users):
    (a_uid, a_gid), (m_uid, m_gid) = users["alice"], users["mallory"]
    pex = app_pex(shared, wheels)
    tmp = sticky_tmp(shared)
    home = shared / "alice"
    home.mkdir()
    os.chown(str(home), a_uid, a_gid)
    root = home / "cache"
    env = clean_env(TMPDIR=str(tmp), HOME="/nonexistent", PEX_ROOT=str(root))
    r = as_user(python, a_uid, a_gid, [python, str(pex)], env)
    assert r.returncode == 0, r.stderr
    os.chmod(str(root), 0o777)  # alice shares it (or an old version made it so)
    plans = list((root / "pexes").glob("*/*.json"))
    evil = shared / "evil"
    evil.mkdir()
    (evil / "app.py").write_text("def main():\n    print(%r)\n" % PLANTED)
    for p in plans:  # mallory replaces the plan (she can: the root is writable by all)
        plan = json.loads(p.read_text())
        plan["sys_path"].insert(0, str(evil))
        os.rename(str(p), str(p) + ".old")
        p.write_text(json.dumps(plan))
        os.chown(str(p), m_uid, m_gid)
    r = as_user(python, a_uid, a_gid, [python, str(pex)], env)
    assert PLANTED not in r.stdout
    assert r.returncode == 0 and r.stdout.strip() == "ran 1.16.0", r.stderr


@pytest.mark.parametrize("dont_write", ["", "1"])
def test_cache_modes_do_not_follow_the_umask(tmp_path, python, wheels, dont_write):
    pex = build_pex(tmp_path / "u.pex", code={"app.py": APP, "pkg/__init__.py": ""}, wheels=[wheels["six"], wheels["attrs"]],
                    entry_point="app:main")
    root = tmp_path / "root"
    for _ in range(2):  # the second start is warm: Python writes .pyc files then
        env = clean_env(PEX_ROOT=str(root), PYTHONDONTWRITEBYTECODE=dont_write)
        r = subprocess.run([python, str(pex)], env=env, preexec_fn=lambda: os.umask(0),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
        assert r.returncode == 0 and r.stdout.strip() == "ran 1.16.0", r.stderr
    wide = []
    for top, dirs, files in os.walk(str(root)):
        for n in [top] + [os.path.join(top, f) for f in files]:
            if not os.path.islink(n) and os.lstat(n).st_mode & 0o022:
                wide.append((n, oct(stat.S_IMODE(os.lstat(n).st_mode))))
    assert not wide
    assert stat.S_IMODE(os.lstat(str(root)).st_mode) == 0o700
    assert list(root.glob("installed/*/__pycache__/six.*.pyc"))  # and Python did cache bytecode there


@pytest.mark.skipif(not IS_ROOT or os.getuid() != 0, reason="needs root to make entries owned by another uid")
def test_all_temp_roots_taken_by_others_is_one_error_line(tmp_path, python, wheels):
    pex = app_pex(tmp_path, wheels)
    tmp = sticky_tmp(tmp_path)
    for name in ["pexkit-0"] + ["pexkit-0-%d" % i for i in (1, 2, 3)]:
        (tmp / name).mkdir(mode=0o700)
        os.chown(str(tmp / name), 54321, 54321)
    blocker = tmp_path / "file"
    blocker.write_text("")
    r = subprocess.run([python, str(pex)], env=clean_env(TMPDIR=str(tmp), PEX_ROOT=str(blocker / "root")),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
    assert one_error_line(r), r.stderr
    assert "no private cache directory" in r.stderr and "set PEX_ROOT to a directory of yours" in r.stderr
    assert all(os.listdir(str(tmp / n)) == [] for n in os.listdir(str(tmp)))
