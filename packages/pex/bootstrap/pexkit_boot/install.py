"""Install a whole .whl (binary distribution format 1.x) into a directory tree.

Layout: purelib and platlib at the root (`<name>.data/purelib|platlib` merged in), `scripts` ->
`bin/` (`#!python` rewritten), `data` -> `data/`, `headers` -> `include/`, dist-info with
INSTALLER "pexkit". Every member path is checked so nothing lands outside the tree. RECORD is
rewritten as installers do: moved files under their installed paths, rewritten scripts with their
new hash and size, and a row for INSTALLER.
"""
import base64
import hashlib
import io
import os
import posixpath
import shutil

import zipfile

# Deflated wheels up to this size are inflated into memory rather than a temp file.
_IN_MEMORY_MAX = 32 << 20

_DATA_DIRS = {"purelib": "", "platlib": "", "scripts": "bin", "data": "data", "headers": "include"}


class InstallError(Exception):
    pass


class _Slice(io.RawIOBase):
    """A read-only, seekable window [start, start+size) of a file (a STORED zip member)."""

    def __init__(self, path, start, size):
        self._f = open(path, "rb")
        self._start, self._size, self._pos = start, size, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        base = {0: 0, 1: self._pos, 2: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self):
        return self._pos

    def read(self, n=-1):
        left = self._size - self._pos
        if n is None or n < 0 or n > left:
            n = left
        if n <= 0:
            return b""
        self._f.seek(self._start + self._pos)
        data = self._f.read(n)
        self._pos += len(data)
        return data

    def readinto(self, b):
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self):
        self._f.close()
        super(_Slice, self).close()


def open_member(zip_path, name):
    """Open a member of the zip at `zip_path` as a seekable file: a STORED one in place, without
    copying it; a deflated one (the writer deflates small wheels whole) inflated once, into memory
    up to _IN_MEMORY_MAX bytes, else into an anonymous temp file, its CRC checked by zipfile."""
    with zipfile.ZipFile(zip_path) as zf:
        info = zf.getinfo(name)
        if info.compress_type != zipfile.ZIP_STORED:
            if info.file_size <= _IN_MEMORY_MAX:
                return io.BytesIO(zf.read(info))
            import tempfile

            tmp = tempfile.TemporaryFile()
            with zf.open(info) as src:
                shutil.copyfileobj(src, tmp, 1 << 20)
            tmp.seek(0)
            return tmp
    with open(zip_path, "rb") as f:
        f.seek(info.header_offset)
        header = f.read(30)
        if header[:4] != b"PK\x03\x04":
            raise InstallError("%s: bad local header for %s" % (zip_path, name))
        name_len = int.from_bytes(header[26:28], "little")
        extra_len = int.from_bytes(header[28:30], "little")
    return _Slice(zip_path, info.header_offset + 30 + name_len + extra_len, info.file_size)


def sha256_of(fileobj):
    h = hashlib.sha256()
    fileobj.seek(0)
    while True:
        chunk = fileobj.read(1 << 20)
        if not chunk:
            break
        h.update(chunk)
    fileobj.seek(0)
    return h.hexdigest()


def _safe_join(root, rel, wheel):
    if not rel or rel.startswith("/") or "\\" in rel or ":" in rel.split("/", 1)[0]:
        raise InstallError("%s: unsafe path %r in wheel" % (wheel, rel))
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise InstallError("%s: path %r escapes the install dir" % (wheel, rel))
    return os.path.join(root, *parts)


def _find_dist_info(names, wheel):
    tops = set(n.split("/", 1)[0] for n in names)
    infos = [t for t in tops if t.endswith(".dist-info")]
    if len(infos) != 1:
        raise InstallError("%s: expected one .dist-info directory, found %s" % (wheel, sorted(infos) or "none"))
    datas = [t for t in tops if t.endswith(".data")]
    return infos[0], (datas[0] if datas else None)


def _record_hash(path):
    with open(path, "rb") as f:
        data = f.read()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return "sha256=" + digest, str(len(data))


def _rewrite_record(dest, dist_info, moved, rewritten):
    import csv

    record = os.path.join(dest, dist_info, "RECORD")
    if not os.path.isfile(record):
        return
    with open(record, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.reader(f) if r]
    installer = dist_info + "/INSTALLER"
    out = []
    for row in rows:
        path = moved.get(row[0], row[0])
        if path == installer:
            continue
        if path in rewritten:
            row = [path] + list(_record_hash(os.path.join(dest, *path.split("/"))))
        else:
            row = [path] + row[1:]
        out.append(row)
    out.append([installer] + list(_record_hash(os.path.join(dest, dist_info, "INSTALLER"))))
    with open(record, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(out)


def make_pycache_dirs(dirs):
    """Make __pycache__/ now, under the runtime's umask: Python would make it on first import
    with the user's (0777 under umask 000). The .pyc files it writes take the source's 0644."""
    for d in dirs:
        os.makedirs(os.path.join(d, "__pycache__"), exist_ok=True)


def install_wheel(fileobj, dest, wheel_name, expected_sha256=None):
    """Install the wheel read from `fileobj` into the (empty) directory `dest`."""
    if expected_sha256:
        got = sha256_of(fileobj)
        if got != expected_sha256:
            raise InstallError("%s: sha256 %s does not match PEX-INFO's %s" % (wheel_name, got, expected_sha256))
    try:
        zf = zipfile.ZipFile(fileobj)
    except zipfile.BadZipFile as e:
        raise InstallError("%s: not a valid wheel: %s" % (wheel_name, e))
    with zf:
        infos = [i for i in zf.infolist() if not i.filename.endswith("/")]
        dist_info, data_dir = _find_dist_info([i.filename for i in infos], wheel_name)
        made, py_dirs = set([dest]), set()
        moved, rewritten = {}, {}
        for info in infos:
            name = info.filename
            script = False
            if data_dir and name.startswith(data_dir + "/"):
                rest = name[len(data_dir) + 1:]
                kind, _, sub = rest.partition("/")
                if kind not in _DATA_DIRS or not sub:
                    raise InstallError("%s: unknown data directory %r" % (wheel_name, kind))
                script = kind == "scripts"
                rel = posixpath.join(_DATA_DIRS[kind], sub) if _DATA_DIRS[kind] else sub
            else:
                rel = name
            target = _safe_join(dest, rel, wheel_name)
            parent = os.path.dirname(target)
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            if rel.endswith(".py"):
                py_dirs.add(parent)
            if rel != name:
                moved[name] = rel
            with zf.open(info) as src, open(target, "wb") as out:
                if script:
                    first = src.readline()
                    if first.startswith(b"#!python"):
                        first = b"#!/usr/bin/env python3" + first[len(b"#!python"):]
                        rewritten[rel] = True
                    out.write(first)
                shutil.copyfileobj(src, out, 1 << 20)
            mode = (info.external_attr >> 16) & 0o777
            if script or mode & 0o111:
                os.chmod(target, 0o755)
        with open(os.path.join(dest, dist_info, "INSTALLER"), "w") as f:
            f.write("pexkit\n")
        _rewrite_record(dest, dist_info, moved, rewritten)
        make_pycache_dirs(py_dirs)
    # Python writes __pycache__ beside the sources on first import (when the PEX carries no
    # bytecode for this interpreter), which is fine for a per-user cache.
    return dist_info


def install_bytecode(fileobj, dest, what, expected_sha256, cache_tag):
    """Unpack a bytecode bundle (`.bytecode/<cache_tag>/<wheel>.zip`, docs/pex-info.md) into the
    installed tree `dest`: only `…/__pycache__/<module>.<cache_tag>.pyc` beside a `<module>.py`
    of the tree, after checking the bundle's sha256 against PEX-INFO."""
    got = sha256_of(fileobj)
    if got != expected_sha256:
        raise InstallError("%s: sha256 %s does not match PEX-INFO's %s" % (what, got, expected_sha256))
    suffix = "." + cache_tag + ".pyc"
    try:
        zf = zipfile.ZipFile(fileobj)
    except zipfile.BadZipFile as e:
        raise InstallError("%s: not a valid bytecode bundle: %s" % (what, e))
    with zf:
        for info in zf.infolist():
            head, _, base = info.filename.rpartition("/")
            parent, _, cache = head.rpartition("/")
            if cache != "__pycache__" or not base.endswith(suffix) or len(base) == len(suffix):
                raise InstallError("%s: unexpected entry %r" % (what, info.filename))
            source = posixpath.join(parent, base[: -len(suffix)] + ".py")
            if not os.path.isfile(_safe_join(dest, source, what)):
                raise InstallError("%s: %r has no source %r in the wheel" % (what, info.filename, source))
            with zf.open(info) as src, open(_safe_join(dest, info.filename, what), "wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)


