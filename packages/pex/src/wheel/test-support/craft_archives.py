"""Crafts wheels that two zip readers could read differently (and a few that are merely unusual
but unambiguous), byte by byte, independent of pexkit's zip code. Usage: craft_archives.py DIR;
writes DIR/<case>/demo-1.0-py3-none-any.whl for every case below and prints the case names."""
import base64, hashlib, os, struct, sys, unicodedata, zlib

DIST = "demo-1.0.dist-info"
GOOD_INIT = b"X = 'verified'\n"
EVIL = b"import os; os.environ['PWNED'] = '1'\n"


def record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


class Entry:
    def __init__(self, name, data, method=8, utf8=None, cextra=b"", lextra=b"", lname=None,
                 descriptor=False, local_sizes=None, zip64_local=False):
        self.name = name.encode("utf-8") if isinstance(name, str) else name
        self.data = data
        self.method = method
        self.flags = 0x800 if (utf8 if utf8 is not None else any(b > 127 for b in self.name)) else 0
        if descriptor:
            self.flags |= 8
        self.cextra, self.lextra = cextra, lextra
        self.lname = lname.encode() if isinstance(lname, str) else (lname or self.name)
        self.descriptor = descriptor
        self.local_sizes = local_sizes
        self.zip64_local = zip64_local
        if method == 8:
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            self.comp = c.compress(data) + c.flush()
        else:
            self.comp = data
        self.crc = zlib.crc32(data) & 0xFFFFFFFF

    def local(self):
        csize, usize, crc = len(self.comp), len(self.data), self.crc
        if self.local_sizes:
            csize, usize = self.local_sizes
        if self.descriptor:
            csize = usize = crc = 0
        extra = self.lextra
        if self.zip64_local:
            extra = struct.pack("<HHQQ", 1, 16, usize, csize) + extra
            csize = usize = 0xFFFFFFFF
        head = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if self.zip64_local else 20, self.flags,
                           self.method, 0, 0x5021, crc, csize, usize, len(self.lname), len(extra))
        out = head + self.lname + extra + self.comp
        if self.descriptor:
            out += struct.pack("<IIII", 0x08074B50, self.crc, len(self.comp), len(self.data))
        return out

    def central(self, offset):
        return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 20, 20, self.flags,
                           self.method, 0, 0x5021, self.crc, len(self.comp), len(self.data),
                           len(self.name), len(self.cextra), 0, 0, 0, 0o100644 << 16,
                           offset) + self.name + self.cextra


def wheel_files(extra_files=(), init=GOOD_INIT, record_extra=()):
    """The (name, data) pairs of a valid demo wheel plus `extra_files`, RECORD last."""
    files = [("demo/__init__.py", init)] + list(extra_files) + [
        (f"{DIST}/METADATA", b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\n"),
        (f"{DIST}/WHEEL", b"Wheel-Version: 1.0\nGenerator: craft\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
    ]
    rows = [f"{n},{record_hash(d)},{len(d)}\n" for n, d in list(files) + list(record_extra)]
    files.append((f"{DIST}/RECORD", ("".join(rows) + f"{DIST}/RECORD,,\n").encode()))
    return files


def assemble(entries, prefix=b"", offsets_from_file_start=False, gap_after=None, gap=b"",
             cd_order=None, count=None, eocd_count=None, comment=b"", comment_len=None,
             extra_cd=b"", zip64=None, pointers=None):
    out = bytearray(prefix)
    base = 0 if offsets_from_file_start else len(prefix)
    offsets = []
    for i, e in enumerate(entries):
        offsets.append(len(out) - base)
        out += e.local()
        if gap_after == i:
            out += gap
    if pointers:  # entry index -> offset override (overlaps)
        for i, off in pointers.items():
            offsets[i] = off
    cd_start = len(out)
    order = cd_order or list(range(len(entries)))
    for i in order:
        out += entries[i].central(offsets[i])
    out += extra_cd
    cd_size = len(out) - cd_start
    n = count if count is not None else len(entries)
    if zip64 is not None:
        z64_at = len(out)
        z64_count = zip64.get("count", n)
        out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, z64_count, z64_count,
                           cd_size, cd_start - base)
        out += struct.pack("<IIQI", 0x07064B50, 0, zip64.get("locator", z64_at - base), 1)
    en = eocd_count if eocd_count is not None else n
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, en, en, cd_size, cd_start - base,
                       len(comment) if comment_len is None else comment_len)
    out += comment
    return bytes(out)


def plain(files, **kw):
    return [Entry(n, d, **kw) for n, d in files]


def cases():
    c = {}
    files = wheel_files()
    # --- accepted: unusual but every reader agrees -------------------------------------------
    c["ok-plain"] = assemble(plain(files))
    c["ok-stored"] = assemble(plain(files, method=0))
    c["ok-comment"] = assemble(plain(files), comment=b"built by craft")
    c["ok-descriptor"] = assemble(plain(files, descriptor=True))
    c["ok-zip64-local"] = assemble(plain(files, zip64_local=True))
    c["ok-zip64-end"] = assemble(plain(files), zip64={})
    ok7075 = [Entry(n, d) for n, d in files]
    ok7075[0].cextra = struct.pack("<HHBI", 0x7075, 5 + len(ok7075[0].name), 1,
                                   zlib.crc32(ok7075[0].name)) + ok7075[0].name
    c["ok-unicode-path-same"] = assemble(ok7075)
    uni = wheel_files([("demo/caf\u00e9.py", b"C = 1\n")])
    c["ok-utf8-name"] = assemble(plain(uni))

    # --- refused: readers disagree ------------------------------------------------------------
    # EOCD says N entries, the directory holds N+1: the hidden one is a .pth nobody verified.
    hidden = Entry("demo-evil.pth", EVIL)
    es = plain(files)
    n = len(es)
    c["count-hidden-entry"] = assemble(es + [hidden], eocd_count=n)
    # ... and the hidden entry replaces the verified __init__.py (same name, later in the directory).
    c["count-hidden-replacement"] = assemble(es + [Entry("demo/__init__.py", EVIL)], eocd_count=n)
    c["count-says-more"] = assemble(es, eocd_count=n + 1)
    c["zip64-count-hidden"] = assemble(es + [hidden], zip64={"count": n + 1}, eocd_count=n)
    c["zip64-locator-elsewhere"] = assemble(es, zip64={"locator": 0})
    # A Unicode Path extra renaming a recorded module to a .pth (CPython 3.12+ follows it).
    ren = wheel_files([("demo/x_pth.py", EVIL)])
    es = plain(ren)
    es[1].cextra = struct.pack("<HHBI", 0x7075, 5 + len(b"demo-evil.pth"), 1,
                               zlib.crc32(es[1].name)) + b"demo-evil.pth"
    c["unicode-path-rename"] = assemble(es)
    es = plain(ren)
    es[1].cextra = struct.pack("<HHB", 0x7075, 1, 1)
    c["unicode-path-corrupt"] = assemble(es)
    # Local headers: gaps, hidden local entries, overlaps, order, names and sizes.
    c["gap-between-entries"] = assemble(plain(files), gap_after=0, gap=b"\0" * 64)
    c["hidden-local-entry"] = assemble(plain(files), gap_after=0, gap=hidden.local())
    es = plain(files)
    c["cd-order-differs"] = assemble(es, cd_order=[1, 0] + list(range(2, len(es))))
    es = plain(files)
    es[0].lname = b"demo/__init__.pz"
    c["local-name-differs"] = assemble(es)
    es = plain(files)
    es[0].local_sizes = (len(es[0].comp), len(es[0].data) + 1)
    c["local-size-differs"] = assemble(es)
    # The second entry's directory record points into the first entry's (stored) data, which
    # carries a complete local entry of its own: two names share bytes.
    inner = Entry("demo/inner.py", EVIL, method=0)
    outer_data = inner.local()
    ov = wheel_files([("demo/outer.bin", outer_data), ("demo/inner.py", EVIL)])
    # Build the overlap by hand: entries = init, outer(stored, holding inner), metadata...;
    # the directory also lists inner at the offset inside outer's data.
    es = plain(ov, method=0)
    inner_entry = es[2]
    rest = [e for i, e in enumerate(es) if i != 2]
    out = bytearray()
    offs = []
    for e in rest:
        offs.append(len(out))
        out += e.local()
    inner_off = offs[1] + 30 + len(rest[1].name)
    cd_start = len(out)
    for e, o in zip(rest, offs):
        out += e.central(o)
    out += inner_entry.central(inner_off)
    cd_size = len(out) - cd_start
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(rest) + 1, len(rest) + 1, cd_size,
                       cd_start, 0)
    c["overlapping-entries"] = bytes(out)
    # Offsets shifted by bytes before the archive (relative to archive or to file start).
    c["prefix-archive-relative"] = assemble(plain(files), prefix=b"#!junk\n" * 9)
    c["prefix-file-relative"] = assemble(plain(files), prefix=b"#!junk\n" * 9,
                                         offsets_from_file_start=True)
    # Archive comments that move or hide the end record.
    c["comment-length-lies"] = assemble(plain(files), comment=b"abc", comment_len=40)
    fake = assemble(plain(wheel_files(init=EVIL)))
    c["comment-holds-end-record"] = assemble(plain(files), comment=fake[-22:])
    # Names: cp437 vs UTF-8, case folding, NFC, the .data mapping, directories with data.
    cp = wheel_files([("demo/caf\u00e9.py", b"C = 1\n")])
    es = plain(cp)
    es[1] = Entry("demo/caf\u00e9.py".encode("utf-8"), b"C = 1\n", utf8=False)
    c["non-ascii-without-utf8-flag"] = assemble(es)
    c["case-duplicate"] = assemble(plain(wheel_files([("demo/Util.py", EVIL), ("demo/util.py", b"U = 1\n")])))
    nfd = unicodedata.normalize("NFD", "demo/caf\u00e9.py")
    c["nfc-duplicate"] = assemble(plain(wheel_files([("demo/caf\u00e9.py", b"C = 1\n"), (nfd, EVIL)])))
    c["data-dir-collision"] = assemble(plain(wheel_files([("demo-1.0.data/purelib/demo/__init__.py", EVIL)])))
    c["exact-duplicate"] = assemble(plain(files + [("demo/__init__.py", EVIL)]))
    c["directory-with-data"] = assemble(plain(wheel_files([("demo/sub/", EVIL)])))
    return {k: v for k, v in c.items() if v is not None}


def main():
    out = sys.argv[1]
    for name, data in cases().items():
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "demo-1.0-py3-none-any.whl"), "wb") as f:
            f.write(data)
        print(name)


if __name__ == "__main__":
    main()
