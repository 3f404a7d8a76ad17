"""pexkit_boot.tags / markers agree with packaging 26.3 (from .venv-tools), run under the
interpreter under test (skipped where packaging itself cannot import, e.g. 3.8)."""
import glob
import subprocess
import textwrap

import pytest

from conftest import BOOTSTRAP, REPO

SITE = (glob.glob(str(REPO / ".venv-tools/lib/python3*/site-packages")) or [None])[0]

SCRIPT = textwrap.dedent('''
    import itertools, sys
    sys.path.insert(0, sys.argv[1])
    sys.path.append(sys.argv[2])
    try:
        from packaging import tags as T, markers as PM
        from packaging.specifiers import SpecifierSet as PS
        from packaging.version import Version as PV
    except Exception as e:
        print("SKIP", e); sys.exit(0)
    from pexkit_boot import tags, markers as M
    bad = []
    if [str(t) for t in T.sys_tags()] != tags.sys_tags():
        bad.append("sys_tags differ")
    vs = ["1.0", "1.0a1", "1.0.post1", "1.0.dev0", "1.0+local", "2.0", "1.0.0", "0.9", "1.1rc2", "1!0.5",
          "1.0b2.post3.dev4", "3.14", "3.9.18", "3.8", "3.10.0", "1.0.0.0.1", "2.0.0rc1", "1.0+abc.5"]
    for a, b in itertools.product(vs, vs):
        if (PV(a) < PV(b)) != (M.Version(a) < M.Version(b)) or (PV(a) == PV(b)) != (M.Version(a) == M.Version(b)):
            bad.append("order %s %s" % (a, b))
        for op in ("<", "<=", "==", "!=", ">=", ">", "~="):
            if op == "~=" and len(PV(b).release) < 2 or (op not in ("==", "!=") and "+" in b):
                continue
            if PS(op + b).contains(a, prereleases=True) != M.SpecifierSet(op + b).contains(a):
                bad.append("spec %s %s%s" % (a, op, b))
    for a in vs:
        for spec in ("==1.*", "!=1.0.*", "==3.*", ">=1.0,<2", "~=1.0", "==2.0.*"):
            if PS(spec).contains(a, prereleases=True) != M.SpecifierSet(spec).contains(a):
                bad.append("spec %s %s" % (a, spec))
    env = M.default_environment()
    for m in ['python_version >= "3.8"', 'sys_platform == "win32" or (os_name == "posix" and python_version < "3.12")',
              'platform_machine in "x86_64 aarch64"', '"linux" in sys_platform and implementation_name != "pypy"',
              'python_full_version < "3.11.0a1"', "platform_python_implementation == 'CPython'",
              'python_version not in "3.8, 3.9"', 'implementation_version >= "7"', 'platform_system != "Darwin"']:
        if PM.Marker(m).evaluate() != M.evaluate_marker(m, env):
            bad.append("marker %s" % m)
    print("BAD" if bad else "OK", bad)
''')


def test_agree_with_packaging(python):
    if not SITE:
        pytest.skip(".venv-tools not set up")
    out = subprocess.run([python, "-c", SCRIPT, str(BOOTSTRAP), SITE], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, universal_newlines=True)
    assert out.returncode == 0, out.stderr
    if out.stdout.startswith("SKIP"):
        pytest.skip("packaging does not import here: " + out.stdout)
    assert out.stdout.startswith("OK"), out.stdout


def _assert_prints_ok(python, code):
    """Runs `code` under `python` with the runtime's directory as argv[1]; it must print OK."""
    out = subprocess.run([python, "-c", code, str(BOOTSTRAP)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True)
    assert out.stdout.strip() == "OK", out.stderr


def test_wheel_tags_and_requirements(python):
    code = textwrap.dedent('''
        import sys; sys.path.insert(0, sys.argv[1])
        from pexkit_boot import tags, markers
        t = tags.wheel_tags("MarkupSafe-2.1.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
        assert t == {"cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"}, t
        assert tags.wheel_tags("six-1.16.0-py2.py3-none-any.whl") == {"py2-none-any", "py3-none-any"}
        r = markers.Requirement('Foo.Bar[x, y] >=1.0, <2 ; python_version >= "3"')
        assert (r.name, r.extras, str(r.specifier), r.marker) == ("foo-bar", ["x", "y"], ">=1.0, <2", 'python_version >= "3"'), vars(r)
        # `===` takes any text without blanks, `;` or `)`: a `(` in it is fine (packaging agrees).
        for text, version in [(" a [  ]===  2.1.0pr(3+0", "2.1.0pr(3+0"), ("a (===x(y) ; os_name == 'posix'", "x(y")]:
            r = markers.Requirement(text)
            assert r.name == "a" and r.specifier.contains(version), vars(r)
        for bad in ["python_version >= ", "os_name == 'x' and", "nonsense_var == '1'"]:
            try:
                markers.parse_marker(bad)
            except markers.InvalidMarker:
                pass
            else:
                raise AssertionError(bad)
        print("OK")
    ''')
    _assert_prints_ok(python, code)


def test_resolve_picks_per_platform(python):
    """One PEX-INFO with linux x86_64, linux aarch64 and macOS arm64 wheels: each platform's tag
    list (as its interpreter reports it) gets its own binary; an unknown one gets a clear error."""
    code = textwrap.dedent('''
        import sys; sys.path.insert(0, sys.argv[1])
        from pexkit_boot import resolve
        wheels = ["pkg-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                  "pkg-1.0-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
                  "pkg-1.0-cp311-cp311-macosx_11_0_arm64.whl", "pkg-1.0-py3-none-any.whl"]
        info = {"requirements": ["pkg"], "projects": {"pkg": {"version": "1.0", "requires": [], "wheels": wheels}}}
        env = {"python_full_version": "3.11.7", "python_version": "3.11", "sys_platform": "linux"}
        def tags(plats):
            return ["cp311-cp311-" + p for p in plats] + ["cp311-abi3-" + p for p in plats] + ["py3-none-any"]
        got = [resolve.resolve(info, env, tags(p))[0][1] for p in (
            ["manylinux_2_35_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"],
            ["manylinux_2_17_aarch64", "manylinux2014_aarch64"],
            ["macosx_14_0_arm64", "macosx_11_0_arm64"],
            ["win_amd64"])]
        assert got == wheels, got
        info["projects"]["pkg"]["wheels"] = wheels[:3]
        try:
            resolve.resolve(info, env, tags(["win_amd64"]))
        except resolve.ResolveError as e:
            msg = str(e)
            assert "no wheel of pkg 1.0" in msg and wheels[2] in msg and "cp311-cp311-win_amd64" in msg, msg
        else:
            raise AssertionError("no error")
        print("OK")
    ''')
    _assert_prints_ok(python, code)


def test_mac_platforms_match_packaging():
    """macOS tags cannot be observed on this Linux box; compare the pure function with packaging."""
    if not SITE:
        pytest.skip(".venv-tools not set up")
    import sys
    sys.path.insert(0, str(BOOTSTRAP))
    try:
        from packaging import tags as T
        from pexkit_boot import tags
    finally:
        sys.path.remove(str(BOOTSTRAP))
    for version in [(10, 4), (10, 9), (10, 15), (11, 0), (14, 0), (15, 2), (26, 0)]:
        for arch in ("arm64", "x86_64"):
            if arch == "arm64" and version < (11, 0):
                continue
            assert tags.mac_platforms(version, arch) == list(T.mac_platforms(version, arch)), (version, arch)


def test_resolve_picks_among_versions_by_requires_python(python):
    """A PEX whose targets needed different versions of one project (a uv lock forked on the
    Python version) lists both; each interpreter gets the version its Python allows, and that
    version's own requirements."""
    code = textwrap.dedent('''
        import sys; sys.path.insert(0, sys.argv[1])
        from pexkit_boot import resolve
        info = {"requirements": ["click"], "projects": {
            "click": [
                {"version": "8.5.1", "requires": [], "requires_python": ">=3.10",
                 "wheels": ["click-8.5.1-py3-none-any.whl"]},
                {"version": "8.1.8", "requires": ["importlib-metadata; python_version < '3.10'"],
                 "requires_python": ">=3.7", "wheels": ["click-8.1.8-py3-none-any.whl"]}],
            "importlib-metadata": {"version": "8.0.0", "requires": [], "requires_python": ">=3.8",
                                   "wheels": ["importlib_metadata-8.0.0-py3-none-any.whl"]}}}
        def env(v):
            return {"python_full_version": v + ".0", "python_version": v, "sys_platform": "linux"}
        tags = ["py3-none-any"]
        assert resolve.resolve(info, env("3.11"), tags) == [("click", "click-8.5.1-py3-none-any.whl")]
        assert resolve.resolve(info, env("3.9"), tags) == [
            ("click", "click-8.1.8-py3-none-any.whl"),
            ("importlib-metadata", "importlib_metadata-8.0.0-py3-none-any.whl")], resolve.resolve(info, env("3.9"), tags)
        try:
            resolve.resolve(info, env("3.6"), tags)
        except resolve.ResolveError as e:
            assert "8.5.1 / 8.1.8" in str(e) and "3.6.0" in str(e), str(e)
        else:
            raise AssertionError("no error")
        print("OK")
    ''')
    _assert_prints_ok(python, code)
