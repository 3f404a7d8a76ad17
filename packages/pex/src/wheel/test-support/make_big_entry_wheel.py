"""Writes a small wheel holding one highly compressible 1 GiB entry (a random byte every 2 KiB,
zeros between), streamed so this script stays small too. Usage: make_big_entry_wheel.py OUT [MiB]"""
import base64, hashlib, os, random, sys, zipfile

out = sys.argv[1]
mib = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
dist = "big-1.0.dist-info"
rng = random.Random(11)
digest = hashlib.sha256()
with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
    info = zipfile.ZipInfo("big/blob.bin", date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zf.open(info, "w", force_zip64=True) as f:
        block = bytearray(1 << 20)
        for _ in range(mib):
            for i in range(0, len(block), 2048):
                block[i] = rng.randrange(256)
            digest.update(block)
            f.write(block)
    small = [
        ("big/__init__.py", b""),
        (f"{dist}/METADATA", b"Metadata-Version: 2.1\nName: big\nVersion: 1.0\n\n"),
        (f"{dist}/WHEEL", b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
    ]
    for name, data in small:
        zf.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    b64 = lambda d: base64.urlsafe_b64encode(d).rstrip(b"=").decode()
    rows = [f"big/blob.bin,sha256={b64(digest.digest())},{mib << 20}"]
    rows += [f"{n},sha256={b64(hashlib.sha256(d).digest())},{len(d)}" for n, d in small]
    rows.append(f"{dist}/RECORD,,")
    zf.writestr(zipfile.ZipInfo(f"{dist}/RECORD", date_time=(2020, 1, 1, 0, 0, 0)),
                "\n".join(rows) + "\n", zipfile.ZIP_DEFLATED)
