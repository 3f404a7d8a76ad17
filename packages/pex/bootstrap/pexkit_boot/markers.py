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
    re.IGNORECASE | re.ASCII,
)
_PRE = {"alpha": "a", "a": "a", "beta": "b", "b": "b", "c": "rc", "pre": "rc", "preview": "rc", "rc": "rc"}


class InvalidVersion(ValueError):
    pass


class Version(object):
    def __init__(self, text):
        core = text.strip()  # Unicode blanks around it are fine, only ASCII inside (no 'ſ' for 's')
        m = _VERSION.match(core) if core.isascii() else None
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


def _text(epoch, release, pre=None, post=None, dev=None):
    """A normalized version string from its parts."""
    out = ("%d!" % epoch if epoch else "") + ".".join(str(x) for x in release)
    if pre:
        out += "%s%d" % pre
    if post is not None:
        out += ".post%d" % post
    if dev is not None:
        out += ".dev%d" % dev
    return out


def _same_public(a, b):
    """Equal in everything but the local segment."""
    return a.key[:5] == b.key[:5]


def _check(op, version, text):
    """Whether `version` is in the range of one clause (pre-release policy left to the caller):
    the interval semantics of PEP 440 as packaging 26 implements them (`<=V`/`==V` take V+local,
    `>V` skips V's post-releases and local versions, `<V` skips V's pre-releases unless V is one,
    `==V.*` covers V.dev0 <= x < next.dev0)."""
    if op == "===":
        return version.text.lower() == text.lower()
    wildcard = text.endswith(".*")
    sv = Version(text[:-2] if wildcard else text)
    if wildcard:
        nxt = list(sv.release[:-1]) + [sv.release[-1] + 1]
        inside = Version(_text(sv.epoch, sv.release, dev=0)) <= version < Version(_text(sv.epoch, nxt, dev=0))
        return inside if op == "==" else not inside
    if op in ("==", "!="):
        equal = version == sv if sv.local else _same_public(version, sv)
        return equal if op == "==" else not equal
    if op == ">=":
        return version >= sv
    if op == "<=":
        return version <= sv or _same_public(version, sv)
    if op == ">":
        if sv.dev is not None:
            return version >= Version(_text(sv.epoch, sv.release, sv.pre, sv.post, sv.dev + 1))
        if sv.post is not None:
            return version >= Version(_text(sv.epoch, sv.release, sv.pre, sv.post + 1, 0))
        same = (version.epoch, version.key[1], version.pre) == (sv.epoch, sv.key[1], sv.pre)
        return version > sv and not same
    if op == "<":
        return version < (sv if sv.is_prerelease else Version(_text(sv.epoch, sv.release, sv.pre, sv.post, 0)))
    if op == "~=":
        nxt = list(sv.release[:-2]) + [sv.release[-2] + 1]
        return version >= sv and version < Version(_text(sv.epoch, nxt, dev=0))
    raise InvalidVersion("unknown operator %r" % op)


_SPEC = re.compile(r"^\s*(===|==|!=|~=|<=|>=|<|>)\s*(\S*)\s*$")
# PEP 440 clause grammar per operator (what packaging accepts): `===` anything without blanks;
# `==`/`!=` a version, or a release with `.*`; `~=` at least two release numbers, no local; the
# ordered comparisons no local and no `.*`.
_PRE_POST_DEV = (
    r"(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?"
    r"(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?(?:[-_.]?dev[-_.]?[0-9]*)?"
)
_LOCAL = r"(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?"
_CLAUSE = {
    "===": re.compile(r"[^\s;)]*\Z"),
    "==": re.compile(r"v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:\.\*|" + _PRE_POST_DEV + _LOCAL + r")\Z", re.I | re.A),
    "~=": re.compile(r"v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)+" + _PRE_POST_DEV + r"\Z", re.I | re.A),
    "<": re.compile(r"v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*" + _PRE_POST_DEV + r"\Z", re.I | re.A),
}
_CLAUSE["!="] = _CLAUSE["=="]
_CLAUSE["<="] = _CLAUSE[">="] = _CLAUSE[">"] = _CLAUSE["<"]


def _clause(text):
    """(op, version text) of one specifier clause, or raise InvalidVersion."""
    m = _SPEC.match(text)
    if not m or not _CLAUSE[m.group(1)].match(m.group(2)):
        raise InvalidVersion("invalid version specifier %r" % text.strip())
    return m.group(1), m.group(2)


class SpecifierSet(object):
    def __init__(self, text):
        self.text = (text or "").strip()
        self.specs = []
        for part in self.text.split(","):
            if not part.strip():
                continue
            self.specs.append(_clause(part))

    def contains(self, version, prereleases=True):
        if not isinstance(version, Version):
            try:
                version = Version(version)
            except InvalidVersion:
                return all(op == "===" and version.lower() == t.lower() for op, t in self.specs)
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
            if "\\" not in v:
                return ("str", v[1:-1])
            import ast

            try:  # a Python string literal, escapes and all (as packaging reads it)
                return ("str", str(ast.literal_eval(v)))
            except (SyntaxError, ValueError) as e:
                raise InvalidMarker("bad string %s in marker %r: %s" % (v, text, e))
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


# Variables compared as versions when the other side makes a valid specifier (as packaging does).
_VERSION_KEYS = ("implementation_version", "platform_release", "python_full_version", "python_version")


def _compare(lhs, op, rhs, key):
    if op == "in":
        return lhs in rhs
    if op == "not in":
        return lhs not in rhs
    if key in _VERSION_KEYS:
        try:
            spec = SpecifierSet(op + rhs)
        except InvalidVersion:
            pass
        else:
            if len(spec.specs) == 1:
                return spec.contains(lhs)
    if op in ("==", "<=", ">="):  # as plain strings: only equality can hold
        return lhs == rhs
    if op == "!=":
        return lhs != rhs
    if op in ("<", ">"):
        return False
    raise InvalidMarker("cannot compare %r %s %r" % (lhs, op, rhs))


def evaluate_marker(text_or_tree, env):
    """Evaluate a marker as packaging does: the variable's side is looked up (when both sides are
    names, the right one is compared as text), `extra` compared as normalized names, version
    variables compared as versions when the other side is a valid specifier, others as text."""
    tree = parse_marker(text_or_tree) if isinstance(text_or_tree, str) else text_or_tree
    kind = tree[0]
    if kind == "or":
        return any(evaluate_marker(t, env) for t in tree[1])
    if kind == "and":
        return all(evaluate_marker(t, env) for t in tree[1])
    _, lhs, op, rhs = tree

    def lookup(key):
        if key == "extra":
            return canonical_name(env.get("extra") or "")
        if key not in env:
            raise InvalidMarker("marker variable %r is not defined" % key)
        value = env[key]
        if key == "python_full_version" and value.endswith("+"):  # an untagged CPython build
            value += "local"
        return value

    if lhs[0] == "var":
        key, left, right = lhs[1], lookup(lhs[1]), rhs[1]
    else:
        key, left = rhs[1], lhs[1]
        right = lookup(key)
    if key == "extra":
        left, right = canonical_name(left), canonical_name(right)
    return _compare(left, op, right, key)


# --- PEP 508 requirements ------------------------------------------------------------------------

# A URL runs to the next blank (`;` included), so a marker after a URL needs a blank before `;`.
_REQ = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?)\s*"
    r"(?:\[(?P<extras>[^\]]*)\])?\s*"
    r"(?:@\s*(?P<url>[^ \t]+)(?:[ \t]+(?:;\s*(?P<url_marker>.*))?)?"
    # A specifier, bare or in parentheses; `===`'s arbitrary text may hold `(` but never `)`.
    r"|(?P<spec>\([^;)]*\)|[^;()][^;)]*|)\s*(?:;\s*(?P<marker>.*))?)$",
    re.S,
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
        spec = (m.group("spec") or "").strip()
        if spec.startswith("(") and spec.endswith(")"):
            spec = spec[1:-1]
        self.specifier = SpecifierSet(spec)
        marker = m.group("marker") or m.group("url_marker")
        self.marker = marker.strip() if marker else None

    def applies(self, env):
        return self.marker is None or evaluate_marker(self.marker, env)

    def __repr__(self):
        return "<Requirement %s>" % self.text
