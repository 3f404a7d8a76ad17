"""Choose, for this interpreter, the projects the PEX needs and the best wheel of each."""
from . import markers, tags


class ResolveError(Exception):
    pass


def rank_wheel(filename, tag_rank):
    """Best (lowest) rank of any tag the wheel declares among the interpreter's tags, or None."""
    ranks = [tag_rank[t] for t in tags.wheel_tags(filename) if t in tag_rank]
    return min(ranks) if ranks else None


def _requires_python_ok(spec, env):
    if not spec:
        return True
    try:
        return markers.SpecifierSet(spec).contains(env["python_full_version"])
    except markers.InvalidVersion:
        return True  # an unparseable Requires-Python is not a reason to refuse to run


def resolve(info, env, sys_tags):
    """Return [(project name, wheel file name)] in requirement walk order.

    Walks `requirements` then each project's `requires`, evaluating markers against `env`
    (PEP 508 marker environment) and keeping projects the PEX carries. Raises ResolveError
    naming the project, its wheels and the interpreter's best tags when none fits.
    """
    projects = info.get("projects") or {}
    first_party = set(markers.canonical_name(n) for n in info.get("first_party") or [])
    tag_rank = dict((t, i) for i, t in enumerate(sys_tags))
    chosen, order = {}, []
    queue = list(info.get("requirements") or [])
    while queue:
        text = queue.pop(0)
        req = markers.Requirement(text)
        if not req.applies(env):
            continue
        name = req.name
        if name in chosen or name in first_party:
            continue
        entries = projects.get(name)
        if entries is None:
            raise ResolveError("pexkit: requirement %r: project %s is not in this PEX" % (text, name))
        # One version, or a list of versions when the PEX's targets needed different ones.
        if not isinstance(entries, list):
            entries = [entries]
        fitting = [e for e in entries if _requires_python_ok(e.get("requires_python"), env)]
        if not fitting:
            raise ResolveError(
                "pexkit: %s %s requires Python %s; this is Python %s"
                % (
                    name,
                    " / ".join(e.get("version") or "?" for e in entries),
                    " / ".join(e.get("requires_python") or "?" for e in entries),
                    env["python_full_version"],
                )
            )
        best = None
        for project in fitting:
            for wheel in project.get("wheels") or []:
                r = rank_wheel(wheel, tag_rank)
                if r is not None and (best is None or r < best[0]):
                    best = (r, wheel, project)
        if best is None:
            raise ResolveError(
                "pexkit: no wheel of %s %s in this PEX fits this interpreter.\n"
                "  wheels present: %s\n  this interpreter's top tags: %s"
                % (
                    name,
                    " / ".join(e.get("version") or "?" for e in fitting),
                    ", ".join(w for e in fitting for w in e.get("wheels") or []) or "none",
                    ", ".join(sys_tags[:6]),
                )
            )
        project = best[2]
        chosen[name] = best[1]
        order.append(name)
        queue.extend(project.get("requires") or [])
    return [(n, chosen[n]) for n in order]
