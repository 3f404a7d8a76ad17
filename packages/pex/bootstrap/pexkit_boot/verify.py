"""Check a PEX against the hashes its build recorded, before the runtime trusts any of it.

PEX-INFO is checked against its own `pex_hash` (a flipped bit cannot change both), the runtime
files against `bootstrap_hash` (before the cold start imports more than this module from the
PEX), first-party code against `code_hash` while it is extracted, and every wheel against its
sha256 in PEX-INFO before it is installed (install.py). Each check runs once per PEX and cache:
warm starts use the plan recorded after a checked cold start and read none of these files.
"""
import hashlib
import json
import os
import sys
import zipfile


def fail(what):
    """One line on stderr and exit 1: what the runtime itself could not read or write."""
    sys.exit("pexkit: error: " + what)


def damaged(pex, what, error):
    fail("%s: %s is damaged (%s: %s); build or download the PEX again" % (pex, what, type(error).__name__, error))


def check(pex, info, runtime):
    """Stage 1's cold start: PEX-INFO, then (unless imported from the cache) the runtime files."""
    pex_info(pex, info)
    if runtime:
        runtime_matches(pex, info)


def tree_hash(digests):
    """docs/pex-info.md: for each (name, sha256 hex of its contents) in byte-wise name order,
    name + "\\0" + hex + "\\n"; the sha256 hex of all that."""
    h = hashlib.sha256()
    for name, digest in sorted(digests, key=lambda f: f[0].encode("utf-8")):
        h.update(("%s\0%s\n" % (name, digest)).encode("utf-8"))
    return h.hexdigest()


def pex_info(pex, info):
    """PEX-INFO hashes to its own pex_hash (the canonical JSON of every other key)."""
    body = dict((k, v) for k, v in info.items() if k != "pex_hash")
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != info.get("pex_hash"):
        fail("%s: PEX-INFO does not match its pex_hash; the PEX is damaged, build or download it again" % pex)


def runtime_files(pex):
    """[(name, bytes)] of the runtime this PEX carries: __main__.py and pexkit_boot/*.py."""
    boot, files = os.path.join(pex, ".bootstrap"), []
    if os.path.isdir(boot):  # loose
        for top, dirs, names in os.walk(os.path.join(boot, "pexkit_boot")):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for n in names:
                if n.endswith(".py"):
                    with open(os.path.join(top, n), "rb") as f:
                        files.append((os.path.relpath(os.path.join(top, n), boot).replace(os.sep, "/"), f.read()))
    else:  # zipapp, or packed (.bootstrap is a zip of its own)
        prefix = "" if os.path.isdir(pex) else ".bootstrap/"
        with zipfile.ZipFile(pex if prefix else boot) as zf:
            for n in zf.namelist():
                if n.startswith(prefix + "pexkit_boot/") and n.endswith(".py"):
                    files.append((n[len(prefix):], zf.read(n)))
            if prefix:
                files.append(("__main__.py", zf.read("__main__.py")))
    if os.path.isdir(pex):
        with open(os.path.join(pex, "__main__.py"), "rb") as f:
            files.append(("__main__.py", f.read()))
    return files


def runtime_matches(pex, info):
    """The runtime files in the PEX hash to bootstrap_hash."""
    digests = [(n, hashlib.sha256(data).hexdigest()) for n, data in runtime_files(pex)]
    if tree_hash(digests) != info.get("bootstrap_hash"):
        fail("%s: the runtime in .bootstrap/ does not match PEX-INFO's bootstrap_hash; the PEX is "
                    "damaged, build or download it again" % pex)
