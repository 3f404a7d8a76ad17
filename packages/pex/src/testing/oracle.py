"""Reference answers from pypa's `packaging` for the differential suite.

Reads a JSON array of cases on stdin, writes a JSON object {"packaging": version,
"results": [...]} with one result per case, in order. One process answers a whole batch.
Each case is an object with "k" (kind); results are {"ok": ...} or {"err": ExceptionName}.
Unexpected exceptions are reported as {"crash": "..."} so the TypeScript side can show them.
"""

import json
import sys
import warnings

import packaging
from packaging.markers import (
    InvalidMarker,
    Marker,
    UndefinedComparison,
    UndefinedEnvironmentName,
    _evaluate_markers,
    _pep440_python_full_version,
)
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.utils import InvalidName, canonicalize_name, canonicalize_version, is_normalized_name
from packaging.version import InvalidVersion, Version

EXPECTED = (
    InvalidVersion,
    InvalidSpecifier,
    InvalidMarker,
    InvalidRequirement,
    UndefinedComparison,
    UndefinedEnvironmentName,
    InvalidName,
)


def version_info(v):
    return {
        "str": str(v),
        "epoch": str(v.epoch),
        "release": [str(x) for x in v.release],
        "pre": None if v.pre is None else [v.pre[0], str(v.pre[1])],
        "post": None if v.post is None else str(v.post),
        "dev": None if v.dev is None else str(v.dev),
        "local": v.local,
        "public": v.public,
        "base": v.base_version,
        "flags": [v.is_prerelease, v.is_postrelease, v.is_devrelease],
    }


def answer(case):
    k = case["k"]
    if k == "version":
        return version_info(Version(case["s"]))
    if k == "compare":
        a, b = Version(case["a"]), Version(case["b"])
        return (a > b) - (a < b)
    if k == "specifier":
        spec = Specifier(case["s"])
        return {"str": str(spec), "op": spec.operator, "version": spec.version, "pre": spec.prereleases}
    if k == "specset":
        spec = SpecifierSet(case["s"])
        count = len(spec)  # before str(): printing de-duplicates packaging's internal list
        return {"str": str(spec), "pre": spec.prereleases, "len": count}
    if k == "contains":
        spec = SpecifierSet(case["s"])
        return spec.contains(case["v"], prereleases=case.get("pre"))
    if k == "contains1":
        spec = Specifier(case["s"])
        return spec.contains(case["v"], prereleases=case.get("pre"))
    if k == "filter1":
        spec = Specifier(case["s"])
        return list(spec.filter(case["vs"], prereleases=case.get("pre")))
    if k == "filter":
        spec = SpecifierSet(case["s"])
        return list(spec.filter(case["vs"], prereleases=case.get("pre")))
    if k == "marker":
        marker = Marker(case["s"])
        out = {}
        try:
            out["str"] = str(marker)
        except ValueError:
            out["str"] = {"err": "ValueError"}
        if "env" in case:
            env = dict(case["env"])
            env["extra"] = case.get("extra", "")
            if "extras" in case:
                env["extras"] = frozenset(case["extras"])
            if "groups" in case:
                env["dependency_groups"] = frozenset(case["groups"])
            try:
                if case.get("partial"):
                    # No defaults from the running interpreter: a missing variable must raise.
                    # This is Marker.evaluate() minus default_environment().
                    env["extra"] = canonicalize_name(env["extra"]) if env["extra"] else ""
                    if "python_full_version" in env:
                        env["python_full_version"] = _pep440_python_full_version(env["python_full_version"])
                    out["value"] = _evaluate_markers(marker._markers, env)
                else:
                    out["value"] = marker.evaluate(env)
            except EXPECTED as e:
                out["value"] = {"err": type(e).__name__}
        return out
    if k == "requirement":
        req = Requirement(case["s"])
        try:
            text = str(req)
        except ValueError:
            text = {"err": "ValueError"}
        again = None
        if isinstance(text, str):
            try:  # round trip: the printed form parsed and printed again
                again = str(Requirement(text))
            except (InvalidRequirement, ValueError) as e:
                again = {"err": type(e).__name__}
        return {
            "again": again,
            "str": text,
            "name": req.name,
            "extras": sorted(req.extras),
            "specifier": str(req.specifier),
            "url": req.url,
        }
    if k == "name":
        try:
            validated = canonicalize_name(case["s"], validate=True)
        except InvalidName:
            validated = None
        return {
            "canonical": canonicalize_name(case["s"]),
            "validated": validated,
            "normalized": is_normalized_name(case["s"]),
            "canonver": canonicalize_version(case["s"]),
        }
    raise ValueError(f"unknown case kind {k!r}")


def main():
    warnings.simplefilter("ignore")
    cases = json.load(sys.stdin)
    results = []
    for case in cases:
        try:
            results.append({"ok": answer(case)})
        except EXPECTED as e:
            results.append({"err": type(e).__name__})
        except Exception as e:  # reported, never hidden
            results.append({"crash": f"{type(e).__name__}: {e}"})
    json.dump({"packaging": packaging.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
