"""Builds test wheels (valid or deliberately broken) with CPython's zipfile, independent of
pexkit's own zip writer. Reads a JSON spec on stdin; see make-wheel.ts."""
import base64, hashlib, json, sys, zipfile

spec = json.load(sys.stdin)
name, version = spec["name"], spec["version"]
dist_info = f"{name}-{version}.dist-info"
files = [(f["name"], base64.b64decode(f["data"]), f.get("symlink", False)) for f in spec["files"]]
gen = spec.get("generated")
if gen:
    for i in range(gen["count"]):
        files.append((f"{gen['prefix']}/m{i:06d}.py", f"N = {i}\n".encode(), False))
files.append((f"{dist_info}/WHEEL", f"Wheel-Version: 1.0\nGenerator: pexkit-tests\nRoot-Is-Purelib: true\nTag: {spec['tag']}\n".encode(), False))
meta = [f"Metadata-Version: 2.1", f"Name: {spec.get('metadataName', name)}",
        f"Version: {spec.get('metadataVersion', version)}"]
if spec.get("requiresPython"):
    meta.append(f"Requires-Python: {spec['requiresPython']}")
meta += [f"Requires-Dist: {r}" for r in spec.get("requiresDist", [])]
files.append((f"{dist_info}/METADATA", ("\n".join(meta) + "\n\nLong description.\n").encode(), False))
if spec.get("entryPoints"):
    files.append((f"{dist_info}/entry_points.txt", spec["entryPoints"].encode(), False))
rows = []
for fname, data, _ in files:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    rows.append([fname, f"sha256={digest}", str(len(data))])
mode = spec.get("record", "ok")
if mode == "tamper-first":
    rows[0][1] = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(b"other").digest()).rstrip(b"=").decode()
elif mode == "omit-first":
    rows = rows[1:]
record = "".join(",".join(r) + "\n" for r in rows) + f"{dist_info}/RECORD,,\n"
if mode != "none":
    files.append((f"{dist_info}/RECORD", record.encode(), False))
for f in spec.get("unrecorded", []):
    files.append((f["name"], base64.b64decode(f["data"]), f.get("symlink", False)))
with zipfile.ZipFile(spec["out"], "w", compression=zipfile.ZIP_DEFLATED) as zf:
    for fname, data, symlink in files:
        info = zipfile.ZipInfo(fname, date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3
        info.external_attr = ((0o120777 if symlink else 0o100644) << 16)
        zf.writestr(info, data)
