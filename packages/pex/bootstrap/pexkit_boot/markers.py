"""Enough PEP 440 (versions, specifiers) and PEP 508 (requirements, markers) for the runtime."""
import os
import platform
import re
import sys

_VERSION = re.compile(
    r"^\s*v?(?:(?P<epoch>[0-9]+)!)?(?P<release>[0-9]+(?:\.[0-9]+)*)"
    r"(?:[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?"
    r"(?:-(?P<post_n1>[0-9]+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?)?"
    r"(?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?"
    r"(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$",
    re.IGNORECASE,
)
_PRE = {"alpha": "a", "a": "a", "beta": "b", "b": "b", "c": "rc", "pre": "rc", "preview": "rc", "rc": "rc"}


class InvalidVersion(ValueError):
    pass


class Version(object):
    def __init__(self, text):
        m = _VERSION.match(text)
        if not m:
            raise InvalidVersion("invalid version: %r" % text)
        self.text = text
        self.release = tuple(int(x) for x in m.group("release").split("."))
        self.epoch = int(m.group("epoch") or 0)
        self.pre = (_PRE[m.group("pre_l").lower()], int(m.group("pre_n") or 0)) if m.group("pre_l") else None
        post = m.group("post_n1") or m.group("post_n2")
        self.post = int(post or 0) if (m.group("post_n1") or m.group("post_l")) else None
        self.dev = int(m.group("dev_n") or 0) if m.group("dev_l") else None
        local = m.group("local")
        self.local = tuple(local.lower().replace("-", ".").replace("_", ".").split(".")) if local else None
        rel = list(self.release)
        while len(rel) > 1 and rel[-1] == 0:
            rel.pop()
        inf, ninf = (1, ""), (-1, "")
        if self.pre is None and self.post is None and self.dev is not None:
            pre = ninf
        elif self.pre is None:
            pre = inf
        else:
            pre = (0, self.pre)
        loc = ninf if self.local is None else (0, tuple((1, int(p), "") if p.isdigit() else (0, 0, p) for p in self.local))
        self.key = (
            self.epoch,
            tuple(rel),
            pre,
            ninf if self.post is None else (0, self.post),
            inf if self.dev is None else (0, self.dev),
            loc,
        )

    @property
    def public(self):
        return self.text.split("+", 1)[0]

    @property
    def is_prerelease(self):
        return self.pre is not None or self.dev is not None

    def __lt__(self, other):
        return self.key < other.key

    def __le__(self, other):
        return self.key <= other.key

    def __gt__(self, other):
        return self.key > other.key

    def __ge__(self, other):
        return self.key >= other.key

    def __eq__(self, other):
        return isinstance(other, Version) and self.key == other.key

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self.key)

    def __repr__(self):
        return "<Version %s>" % self.text


def _strip_local(v):
    return Version(v.public)


def _prefix_match(version, spec_text):
    """`==1.2.*`: compare release segments (pre/post/dev of `version` ignored)."""
    want = spec_text[:-2]
    wv = Version(want)
    n = len(wv.release)
    rel = list(version.release) + [0] * max(0, n - len(version.release))
    return version.epoch == wv.epoch and tuple(rel[:n]) == wv.release


def _compatible(version, spec_text):
    sv = Version(spec_text)
    if len(sv.release) < 2:
        raise InvalidVersion("~= needs at least two release segments: %r" % spec_text)
    prefix = ".".join(str(x) for x in sv.release[:-1]) + ".*"
    if sv.epoch:
        prefix = "%d!%s" % (sv.epoch, prefix)
    return version >= sv and _prefix_match(version, prefix)


def _check(op, version, text):
    if op == "===":
        return version.text == text
    if op in ("==", "!="):
        if text.endswith(".*"):
            res = _prefix_match(version, text)
        else:
            sv = Version(text)
            res = (version if sv.local else _strip_local(version)) == sv
        return res if op == "==" else not res
    if op == "~=":
        return _compatible(version, text)
    sv = Version(text)
    v = _strip_local(version)
    if op == "<=":
        return v <= sv
    if op == ">=":
        return v >= sv
    if op == "<":
        # <V excludes pre-releases of V itself unless V is one
        return v < sv and not (not sv.is_prerelease and v.is_prerelease and _base(v) == sv)
    if op == ">":
        # >V excludes post-releases (and local versions) of V itself
        if v.post is not None and sv.post is None and _base(v) == sv:
            return False
        return v > sv and not (version.local and _base(version) == sv)
    raise InvalidVersion("unknown operator %r" % op)


def _base(v):
    return Version(("%d!" % v.epoch if v.epoch else "") + ".".join(str(x) for x in v.release))


_SPEC = re.compile(r"^\s*(===|==|!=|~=|<=|>=|<|>)\s*([^\s,;]+)\s*$")


class SpecifierSet(object):
    def __init__(self, text):
        self.text = (text or "").strip()
        self.specs = []
        for part in self.text.split(","):
            if not part.strip():
                continue
            m = _SPEC.match(part)
            if not m:
                raise InvalidVersion("invalid version specifier %r in %r" % (part.strip(), text))
            self.specs.append((m.group(1), m.group(2)))

    def contains(self, version, prereleases=True):
        if not isinstance(version, Version):
            try:
                version = Version(version)
            except InvalidVersion:
                return all(op == "===" and version == t for op, t in self.specs)
        if not prereleases and version.is_prerelease:
            return False
        return all(_check(op, version, t) for op, t in self.specs)

    def __str__(self):
        return self.text


# --- PEP 508 markers ---------------------------------------------------------------------------

_VARIABLES = (
    "python_version", "python_full_version", "os_name", "sys_platform", "platform_release",
    "platform_system", "platform_version", "platform_machine", "platform_python_implementation",
    "implementation_name", "implementation_version", "extra", "os.name", "sys.platform",
    "platform.version", "platform.machine", "platform.python_implementation", "python_implementation",
)
_TOKEN = re.compile(
    r"\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<op>===|==|!=|~=|<=|>=|<|>|not\s+in\b|in\b)|(?P<bool>and\b|or\b)"
    r"|(?P<str>'[^']*'|\"[^\"]*\")|(?P<var>[A-Za-z_][A-Za-z0-9_.]*))"
)


class InvalidMarker(ValueError):
    pass


def default_environment():
    iv = sys.implementation.version
    impl_version = "%d.%d.%d" % (iv.major, iv.minor, iv.micro)
    if iv.releaselevel != "final":
        impl_version += iv.releaselevel[0] + str(iv.serial)
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": impl_version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


def _tokens(text):
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise InvalidMarker("cannot parse marker %r at %r" % (text, text[pos:]))
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "var" and value not in _VARIABLES:
            raise InvalidMarker("unknown marker variable %r in %r" % (value, text))
        if kind == "op":
            value = " ".join(value.split())
        out.append((kind, value))
        pos = m.end()
    return out


def parse_marker(text):
    """Parse a marker into a nested tuple tree: ("or"|"and", [...]) or ("cmp", lhs, op, rhs)."""
    toks = _tokens(text)
    pos = [0]

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else (None, None)

    def take(kind):
        k, v = peek()
        if k != kind:
            raise InvalidMarker("expected %s in marker %r" % (kind, text))
        pos[0] += 1
        return v

    def value():
        k, v = peek()
        if k == "str":
            pos[0] += 1
            return ("str", v[1:-1])
        if k == "var":
            pos[0] += 1
            return ("var", v.replace(".", "_") if v != "python_implementation" else "platform_python_implementation")
        raise InvalidMarker("expected a value in marker %r" % text)

    def atom():
        if peek()[0] == "lp":
            pos[0] += 1
            e = expr()
            take("rp")
            return e
        lhs = value()
        op = take("op")
        return ("cmp", lhs, op, value())

    def conj():
        items = [atom()]
        while peek() == ("bool", "and"):
            pos[0] += 1
            items.append(atom())
        return ("and", items)

    def expr():
        items = [conj()]
        while peek() == ("bool", "or"):
            pos[0] += 1
            items.append(conj())
        return ("or", items)

    tree = expr()
    if pos[0] != len(toks):
        raise InvalidMarker("trailing text in marker %r" % text)
    return tree


def _compare(lhs, op, rhs):
    if op == "in":
        return lhs in rhs
    if op == "not in":
        return lhs not in rhs
    try:
        return SpecifierSet(op + rhs).contains(Version(lhs))
    except InvalidVersion:
        pass
    if op == "==":
        return lhs == rhs
    if op == "!=":
        return lhs != rhs
    if op == "===":
        return lhs == rhs
    raise InvalidMarker("cannot compare %r %s %r as versions" % (lhs, op, rhs))


def evaluate_marker(text_or_tree, env):
    tree = parse_marker(text_or_tree) if isinstance(text_or_tree, str) else text_or_tree
    kind = tree[0]
    if kind == "or":
        return any(evaluate_marker(t, env) for t in tree[1])
    if kind == "and":
        return all(evaluate_marker(t, env) for t in tree[1])
    _, lhs, op, rhs = tree

    def resolve(v):
        if v[0] == "str":
            return v[1]
        if v[1] not in env:
            return ""  # e.g. `extra` when no extra is active
        return env[v[1]]

    return _compare(resolve(lhs), op, resolve(rhs))


# --- PEP 508 requirements ------------------------------------------------------------------------

_REQ = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*"
    r"(?:\[(?P<extras>[^\]]*)\])?\s*"
    r"(?:@\s*(?P<url>[^\s;]+)\s*|\(?(?P<spec>[^;()]*)\)?)?\s*"
    r"(?:;\s*(?P<marker>.*))?$"
)


def canonical_name(name):
    return re.sub(r"[-_.]+", "-", name).lower()


class Requirement(object):
    def __init__(self, text):
        m = _REQ.match(text)
        if not m:
            raise ValueError("invalid requirement: %r" % text)
        self.text = text
        self.name = canonical_name(m.group("name"))
        self.extras = sorted(e.strip() for e in (m.group("extras") or "").split(",") if e.strip())
        self.url = m.group("url")
        self.specifier = SpecifierSet(m.group("spec") or "")
        self.marker = m.group("marker").strip() if m.group("marker") else None

    def applies(self, env):
        return self.marker is None or evaluate_marker(self.marker, env)

    def __repr__(self):
        return "<Requirement %s>" % self.text
