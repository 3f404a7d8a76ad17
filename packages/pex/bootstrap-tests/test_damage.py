"""A damaged PEX or a full disk gives one `pexkit: error:` line (the file, what to do), exit 1, no
traceback and no half-made cache entry; the next start with space recovers (issue 12).

Flips inside __main__.py (and in the zip records Python's zipimport reads to find it) are met by
Python before any of our code runs; the corpus leaves __main__.py's own bytes out."""
import os
import shutil
import subprocess
import zipfile

import pytest

from conftest import build_pex, make_wheel
from test_trust import IS_ROOT, clean_env, one_error_line

APP = "import six\ndef main():\n    print('ran', six.__version__)\n"


def run(python, pex, root, **env):
    return subprocess.run([python, str(pex)], env=clean_env(PEX_ROOT=str(root), **env), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=120)


def rewrite_member(pex, name, change):
    """Write the zipapp again with member `name`'s bytes replaced by change(bytes)."""
    with open(str(pex), "rb") as f:
        preamble = f.read().split(b"PK\x03\x04", 1)[0]
    with zipfile.ZipFile(str(pex)) as zf:
        members = [(i, zf.read(i)) for i in zf.infolist()]
    with open(str(pex), "wb") as f:
        f.write(preamble)
        with zipfile.ZipFile(f, "w") as out:
            for info, data in members:
                out.writestr(info, change(data) if info.filename == name else data)


def flip(data, offset, bit):
    return data[:offset] + bytes([data[offset] ^ (1 << bit)]) + data[offset + 1:]


def test_one_bit_in_pex_info_never_drops_a_dependency_silently(tmp_path, python, wheels):
    code = {"app.py": "import importlib.util\ndef main():\n    print('six' if importlib.util.find_spec('six') else 'no six')\n"}
    pex = build_pex(tmp_path / "d.pex", code=code, wheels=[wheels["six"]], entry_point="app:main",
                    requirements=['six; python_version >= "3.0"'])
    assert run(python, pex, tmp_path / "ok").stdout.strip() == "six"

    def lt(data):  # `>=` becomes `<=` (0x3e ^ 0x02): a one-bit flip that keeps valid JSON
        at = data.index(b'python_version >=') + len(b"python_version ")
        return flip(data, at, 1)

    rewrite_member(pex, "PEX-INFO", lt)
    r = run(python, pex, tmp_path / "root")
    assert "no six" not in r.stdout
    assert one_error_line(r), r.stderr
    assert "PEX-INFO does not match its pex_hash" in r.stderr and str(pex) in r.stderr


def test_wheel_not_matching_its_sha256_is_never_installed(tmp_path, python, wheels):
    pex = build_pex(tmp_path / "w.pex", code={"app.py": APP}, wheels=[wheels["six"]], entry_point="app:main")
    rewrite_member(pex, ".deps/" + wheels["six"].name, lambda d: flip(d, len(d) // 2, 3))
    root = tmp_path / "root"
    r = run(python, pex, root)
    assert one_error_line(r), r.stderr
    assert "six-1.16.0-py2.py3-none-any.whl" in r.stderr and "does not match PEX-INFO" in r.stderr
    assert os.listdir(str(root / "installed")) == []


def _mount_tmpfs(where, size):
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=700" % size, "tmpfs", str(where)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: %s" % r.stdout.strip())


@pytest.mark.skipif(not IS_ROOT or not shutil.which("mount"), reason="mounting a small tmpfs needs root")
def test_full_disk_gives_one_line_and_the_next_start_recovers(tmp_path, python, wheels):
    big = make_wheel(tmp_path, "big", "1.0", {"big/__init__.py": "X = 1\n", "big/blob.bin": os.urandom(3 << 20)})
    code = {"app.py": "import big, six\ndef main():\n    print('ran', big.X, six.__version__)\n"}
    pex = build_pex(tmp_path / "big.pex", code=code, wheels=[wheels["six"], big], entry_point="app:main")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    _mount_tmpfs(mnt, "1m")
    try:
        root = mnt / "root"
        r = run(python, pex, root)
        assert one_error_line(r), r.stderr
        assert "No space left on device" in r.stderr and "free some space" in r.stderr, r.stderr
        left = [os.path.join(t, n) for t, ds, fs in os.walk(str(root)) for n in ds + fs]
        assert not [p for p in left if ".work-" in p], left  # nothing half-made
        assert not (root / "installed").is_dir() or not [
            n for n in os.listdir(str(root / "installed")) if n == big_sha(pex, big.name)]
        subprocess.run(["mount", "-o", "remount,size=32m", str(mnt)], check=True)
        r = run(python, pex, root)
        assert r.returncode == 0 and r.stdout.strip() == "ran 1 1.16.0", r.stderr
        r = run(python, pex, root)  # warm
        assert r.returncode == 0 and r.stdout.strip() == "ran 1 1.16.0", r.stderr
    finally:
        subprocess.run(["umount", "-l", str(mnt)])


def big_sha(pex, name):
    import json

    with zipfile.ZipFile(str(pex)) as zf:
        return json.loads(zf.read("PEX-INFO").decode())["distributions"][name]


SLOW = bool(os.environ.get("PEXKIT_SLOW_TESTS"))  # the full corpus; by default a third of it


def _regions(pex):
    """(label, offset) of the bytes to flip: for PEX-INFO, the wheel and the runtime files, their
    local header, spread over their data, and their central directory record."""
    runtime = ("/boot.py", "/verify.py", "/cache.py", "/install.py") if SLOW else ("/boot.py", "/verify.py")
    spread = 8 if SLOW else 4
    with open(str(pex), "rb") as f:
        blob = f.read()
    picks = []
    with zipfile.ZipFile(str(pex)) as zf:
        infos = zf.infolist()
        cd = blob.rindex(b"PK\x05\x06")
        central = {}
        at = zf.start_dir  # the central directory (the stored wheel holds one of its own)
        while at < cd:
            n, m, k = (int.from_bytes(blob[at + o:at + o + 2], "little") for o in (28, 30, 32))
            central[blob[at + 46:at + 46 + n].decode()] = at
            at += 46 + n + m + k
    for info in infos:
        name = info.filename
        if name.endswith("/") or name == "__main__.py" or name.startswith("app"):
            continue
        if name.startswith(".bootstrap/") and not name.endswith(runtime):
            continue
        head = info.header_offset
        start = head + 30 + len(name.encode()) + len(info.extra)
        for o in (14, 18, 22, 26, 30) if SLOW else (14, 22, 30):  # crc, sizes, name length, first name byte
            picks.append(("%s local header +%d" % (name, o), head + o))
        for i in range(spread):
            picks.append(("%s data %d/%d" % (name, i, spread), start + (info.compress_size - 1) * i // (spread - 1)))
        for o in (16, 20, 24, 42, 46) if SLOW else (16, 42, 46):  # crc, sizes, header offset, first name byte
            picks.append(("%s central record +%d" % (name, o), central[name] + o))
    return blob, picks


def _corpus(tmp_path, python, wheels, warm):
    pex = build_pex(tmp_path / "c.pex", code={"app.py": APP}, wheels=[wheels["six"]], entry_point="app:main")
    blob, picks = _regions(pex)
    warm_root = tmp_path / "warm"
    if warm:
        assert run(python, pex, warm_root).returncode == 0
    bad = []
    for i, (label, offset) in enumerate(picks):
        damaged = tmp_path / ("f%d.pex" % i)
        damaged.write_bytes(flip(blob, offset, i % 8))
        root = tmp_path / ("r%d" % i)
        if warm:
            shutil.copytree(str(warm_root), str(root), symlinks=True)
        r = run(python, damaged, root)
        ok = r.returncode == 0 and r.stdout.strip() == "ran 1.16.0"
        lines = [l for l in r.stderr.splitlines() if l.strip()]
        python_own = len(lines) == 1 and "can't find '__main__' module" in lines[0]  # zipimport's, before us
        if not (ok or one_error_line(r) or python_own) or "Traceback" in r.stderr:
            bad.append("%s (bit %d): rc %s, stdout %r, stderr %s" % (label, i % 8, r.returncode, r.stdout[:80],
                                                                   r.stderr.strip()[-400:]))
        if one_error_line(r) and os.path.isdir(str(root)):
            half = [os.path.join(t, n) for t, ds, fs in os.walk(str(root)) for n in ds + fs if ".work-" in n]
            if half:
                bad.append("%s: left %s" % (label, half))
        shutil.rmtree(str(root), ignore_errors=True)
        damaged.unlink()
    assert len(picks) >= (120 if SLOW else 40)
    assert not bad, "%d of %d flips misbehaved:\n%s" % (len(bad), len(picks), "\n".join(bad))


def test_bit_flip_corpus_cold(tmp_path, python, wheels):
    _corpus(tmp_path, python, wheels, warm=False)


def test_bit_flip_corpus_warm(tmp_path, python, wheels):
    _corpus(tmp_path, python, wheels, warm=True)
