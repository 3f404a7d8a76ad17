"""Oracle for pexkit inspect: what Python's zipfile says a PEX holds (JSON on stdout).

Usage: python3 zip_sizes.py PEX
"""
import io
import json
import sys
import zipfile


def main(path):
    out = {"wheels": {}, "first_party": [0, 0, 0], "runtime": [0, 0, 0]}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            name = info.filename
            if name.endswith("/") or name == "PEX-INFO":
                continue
            if name.startswith(".deps/"):
                with zipfile.ZipFile(io.BytesIO(z.read(name))) as wheel:
                    files = [i for i in wheel.infolist() if not i.filename.endswith("/")]
                    out["wheels"][name[len(".deps/"):]] = {
                        "pex_bytes": info.compress_size,
                        "wheel_bytes": info.file_size,
                        "files": len(files),
                        "installed_bytes": sum(i.file_size for i in files),
                    }
                continue
            part = "runtime" if name == "__main__.py" or name.startswith(".bootstrap/") else "first_party"
            out[part][0] += 1
            out[part][1] += info.compress_size
            out[part][2] += info.file_size
    json.dump(out, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
