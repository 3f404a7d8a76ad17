"""What this interpreter's zipfile extracts from each archive given on the command line: prints
one JSON line per archive, {"ok": true, "files": {name: sha256}} (a later entry of the same
name replaces an earlier one, as extraction does) or {"ok": false, "error": "..."}."""
import hashlib, json, sys, warnings, zipfile

warnings.simplefilter("ignore")
for path in sys.argv[1:]:
    try:
        with zipfile.ZipFile(path) as zf:
            files = {}
            for info in zf.infolist():
                if info.filename.endswith("/"):
                    continue
                files[info.filename] = hashlib.sha256(zf.read(info)).hexdigest()
        print(json.dumps({"ok": True, "files": files}))
    except Exception as e:  # BadZipFile, NotImplementedError, UnicodeDecodeError, ...
        print(json.dumps({"ok": False, "error": "%s: %s" % (type(e).__name__, e)}))
