"""Independent lock walker for the differential test of pexkit's lock subsets (tests only).

Reads cases (JSON on stdin): {"lock": path, "member": name, "extras": [...], "groups": [...],
"env": {marker variable: value}}. Answers, per case, the sorted "name==version" list of the
third-party packages the member needs in that environment, or {"error": text}.

uv.lock: walks from the member like `uv sync --package member --extra … --group …` (no default
groups), reading uv's conflict markers (`extra == 'extra-3-app-cpu'`) as uv does: true when that
extra/group is active (requested, or activated on a workspace member by the walk, repeated until
nothing new is activated). pylock.toml: each package's `marker` with packaging's lock-file context
(`extras`, `dependency_groups` = default-groups + requested). Requirements files: each pinned
line whose marker holds. Only the standard library, tomllib and pypa `packaging`.
"""
import json
import re
import sys
import tomllib

import packaging
from packaging.markers import Marker, Op, Value, Variable, default_environment
from packaging.utils import canonicalize_name


def full_env(env):
    out = default_environment()
    out.update(env)
    return out


def atom_text(atom):
    def side(x):
        return x.value if isinstance(x, Variable) else json.dumps(x.value)
    lhs, op, rhs = atom
    return f"{side(lhs)} {op.value} {side(rhs)}"


def eval_with_extra_set(marker, env, active):
    """Evaluate with `extra` as a set (uv conflict markers); other atoms by packaging."""
    def ev(items):
        groups = [[]]
        for item in items:
            if item == "or":
                groups.append([])
            elif item == "and":
                continue
            elif isinstance(item, list):
                groups[-1].append(ev(item))
            else:
                lhs, op, rhs = item
                if isinstance(lhs, Variable) and lhs.value == "extra" and op.value in ("==", "!="):
                    inside = canonicalize_name(rhs.value) in active
                    groups[-1].append(inside if op.value == "==" else not inside)
                else:
                    groups[-1].append(Marker(atom_text(item)).evaluate(env))
        return any(all(g) for g in groups)
    return ev(Marker(marker)._markers)


def item_name(kind, package, name):
    return f"{kind}-{len(package)}-{package}-{canonicalize_name(name)}"


def source_key(source):
    return tuple(sorted((source or {}).items()))


FIRST_PARTY = ("editable", "virtual", "directory")


def walk_uv(doc, case, env):
    packages = doc.get("package", [])
    by_name = {}
    for p in packages:
        by_name.setdefault(p["name"], []).append(p)
    member = canonicalize_name(case["member"])
    root = [p for p in by_name.get(member, []) if any(k in p["source"] for k in FIRST_PARTY)]
    if len(root) != 1:
        raise ValueError(f"member {member} not in lock")
    active = {item_name("extra", member, e) for e in case["extras"]}
    active |= {item_name("group", member, g) for g in case["groups"]}
    while True:
        result, activated = walk_uv_once(by_name, root[0], case, env, active)
        if activated <= active:
            return result
        active |= activated


def walk_uv_once(by_name, root, case, env, active):
    holds = lambda m: m is None or eval_with_extra_set(m, env, active)
    def pick(dep):
        cands = by_name.get(dep["name"], [])
        if "version" in dep:
            cands = [c for c in cands if c.get("version") == dep["version"]]
        if "source" in dep:
            cands = [c for c in cands if source_key(c["source"]) == source_key(dep["source"])]
        if len(cands) > 1:
            cands = [c for c in cands if not c.get("resolution-markers")
                     or any(holds(m) for m in c["resolution-markers"])]
        if len(cands) != 1:
            raise ValueError(f"cannot pick {dep['name']}: {len(cands)} candidates")
        return cands[0]
    seen = set()
    out = set()
    activated = set()
    queue = [(root, tuple(canonicalize_name(e) for e in case["extras"]),
              tuple(canonicalize_name(g) for g in case["groups"]))]
    while queue:
        pkg, extras, groups = queue.pop()
        first_party = any(k in pkg["source"] for k in FIRST_PARTY)
        key = (pkg["name"], pkg.get("version"), source_key(pkg["source"]))
        edges = []
        if (key, None) not in seen:
            seen.add((key, None))
            edges += pkg.get("dependencies", [])
        opt = {canonicalize_name(k): v for k, v in pkg.get("optional-dependencies", {}).items()}
        for extra in extras:
            if (key, "x:" + extra) in seen:
                continue
            seen.add((key, "x:" + extra))
            if first_party:
                activated.add(item_name("extra", pkg["name"], extra))
            edges += opt.get(extra, [])
        dev = {canonicalize_name(k): v for k, v in pkg.get("dev-dependencies", {}).items()}
        for group in groups:
            if (key, "g:" + group) in seen:
                continue
            seen.add((key, "g:" + group))
            if group not in dev:
                raise ValueError(f"no group {group}")
            edges += dev[group]
        if not first_party:
            out.add(f"{pkg['name']}=={pkg.get('version')}")
        for dep in edges:
            if holds(dep.get("marker")):
                queue.append((pick(dep), tuple(canonicalize_name(e) for e in dep.get("extra", [])), ()))
    return sorted(out), activated


def walk_pylock(doc, case, env):
    groups = set(doc.get("default-groups", [])) | {canonicalize_name(g) for g in case["groups"]}
    extras = {canonicalize_name(e) for e in case["extras"]}
    lock_env = dict(env, extras=extras, dependency_groups=groups)
    out = set()
    for p in doc.get("packages", []):
        if "directory" in p:
            continue
        if "marker" in p and not Marker(p["marker"]).evaluate(lock_env, context="lock_file"):
            continue
        out.add(f"{canonicalize_name(p['name'])}=={p.get('version')}")
    return sorted(out)


LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)\s*(?:;\s*(.*?))?\s*$")


def walk_requirements(text, env):
    out = set()
    joined = re.sub(r"\\\n", " ", text)
    for raw in joined.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw)
        line = re.sub(r"\s--hash=\S+", "", line).strip()
        if not line or line.startswith("-"):
            continue
        m = LINE.match(line)
        if not m:
            raise ValueError(f"unreadable line {line!r}")
        if m.group(3) and not Marker(m.group(3)).evaluate(env):
            continue
        out.add(f"{canonicalize_name(m.group(1))}=={m.group(2)}")
    return sorted(out)


def answer(case):
    env = full_env(case["env"])
    path = case["lock"]
    try:
        if path.endswith(".txt"):
            with open(path, encoding="utf-8") as f:
                return walk_requirements(f.read(), env)
        with open(path, "rb") as f:
            doc = tomllib.load(f)
        if "lock-version" in doc:
            return walk_pylock(doc, case, env)
        return walk_uv(doc, case, env)
    except ValueError as error:
        return {"error": str(error)}


def main():
    cases = json.load(sys.stdin)
    json.dump({"packaging": packaging.__version__, "results": [answer(c) for c in cases]}, sys.stdout)


if __name__ == "__main__":
    main()
