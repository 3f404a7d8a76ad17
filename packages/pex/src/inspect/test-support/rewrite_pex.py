"""Makes damaged or hostile copies of a pexkit PEX for the inspect tests.

Usage: python3 rewrite_pex.py SRC DST MODE [ARG]
  tamper-info        change entry_point in PEX-INFO, keep the old pex_hash
  hostile-names      put HTML in first_party and a requirer name, with a matching pex_hash
  grow-wheel NAME    append a byte to .deps/NAME (its sha256 no longer matches PEX-INFO)
  extra-wheel NAME   add .deps/NAME, which PEX-INFO does not list
  drop-target-wheels remove target_wheels (a PEX from an older pexkit), with a matching pex_hash
"""
import hashlib
import json
import sys
import zipfile


def rehash(info):
    body = dict((k, v) for k, v in info.items() if k != "pex_hash")
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    info["pex_hash"] = hashlib.sha256(text.encode("utf-8")).hexdigest()


def main(src, dst, mode, arg=None):
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for item in z.infolist():
            data = z.read(item.filename)
            if item.filename == "PEX-INFO" and mode in ("tamper-info", "hostile-names", "drop-target-wheels"):
                info = json.loads(data)
                if mode == "drop-target-wheels":
                    del info["target_wheels"]
                    rehash(info)
                elif mode == "tamper-info":
                    info["entry_point"] = "evil:main"
                else:
                    evil = '<img src=x onerror="alert(1)">'
                    info["first_party"] = [evil] + info["first_party"]
                    for wheels in info["target_wheels"].values():
                        for name in wheels:
                            wheels[name] = wheels[name] + ["</script><script>alert(2)</script>"]
                    rehash(info)
                data = (json.dumps(info, sort_keys=True, indent=2) + "\n").encode("utf-8")
            if mode == "grow-wheel" and item.filename == ".deps/" + arg:
                data += b"\0"
            out.writestr(item, data)
        if mode == "extra-wheel":
            out.writestr(".deps/" + arg, b"PK not really a wheel")


if __name__ == "__main__":
    main(*sys.argv[1:])
