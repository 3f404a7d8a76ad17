"""Answers differential cases (JSON on stdin) with pypa `packaging` (argv[1] == "packaging") or
with the PEX runtime's own markers module (argv[1] == "runtime", argv[2] = the bootstrap dir; any
Python 3.8+ or PyPy, standard library only). Prints {"results": [...]} in case order; each result
is {"ok": value} or {"err": "..."}; with no argument: packaging.

Cases: {"k": "version", "s"}, {"k": "compare", "a", "b"}, {"k": "contains", "s", "v"} (with
prereleases, as the runtime checks Requires-Python), {"k": "marker", "s", "env", "extra"},
{"k": "requirement", "s", "env"}."""
import json
import sys


def packaging_answer(c):
    from packaging.markers import Marker
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.utils import canonicalize_name
    from packaging.version import Version

    k = c["k"]
    if k == "version":
        Version(c["s"])
        return True
    if k == "compare":
        a, b = Version(c["a"]), Version(c["b"])
        return [a < b, a == b, a > b]
    if k == "contains":
        return SpecifierSet(c["s"]).contains(c["v"], prereleases=True)
    if k == "marker":
        return Marker(c["s"]).evaluate(dict(c["env"], extra=c["extra"]))
    if k == "requirement":
        r = Requirement(c["s"])
        return [canonicalize_name(r.name), r.marker is None or r.marker.evaluate(dict(c["env"], extra=""))]
    raise ValueError("unknown case kind %r" % k)


def runtime_answer(c):
    from pexkit_boot import markers as M

    k = c["k"]
    if k == "version":
        M.Version(c["s"])
        return True
    if k == "compare":
        a, b = M.Version(c["a"]), M.Version(c["b"])
        return [a < b, a == b, a > b]
    if k == "contains":
        return M.SpecifierSet(c["s"]).contains(c["v"])
    if k == "marker":
        return M.evaluate_marker(c["s"], dict(c["env"], extra=c["extra"]))
    if k == "requirement":
        r = M.Requirement(c["s"])
        return [r.name, r.applies(dict(c["env"], extra=""))]
    raise ValueError("unknown case kind %r" % k)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "packaging"
    if mode == "runtime":
        sys.path.insert(0, sys.argv[2])
    answer = packaging_answer if mode == "packaging" else runtime_answer
    results = []
    for c in json.load(sys.stdin):
        try:
            results.append({"ok": answer(c)})
        except Exception as e:  # invalid input (or a crash: the comparison shows which)
            results.append({"err": type(e).__name__})
    out = {"results": results}
    if mode == "packaging":
        import packaging

        out["packaging"] = packaging.__version__
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
