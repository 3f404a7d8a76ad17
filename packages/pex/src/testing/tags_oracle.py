"""Reference oracle for pexkit's tag and wheel-file-name code: pypa packaging (26.3).

Protocol of testing/differential.ts `runOracle`: a JSON array of cases on stdin, one
process per batch; writes {"packaging": version, "results": [...]}, one result per case.
Cases:
  {"k": "sys_tags", "spec": {...}}   -> [tag, ...] in sys_tags() order
  {"k": "wheel", "s": "name.whl"}    -> wheel result (below)
  {"k": "tag", "s": "py2.py3-none-any"} -> sorted tags or {"error": class}

A sys_tags spec describes the machine; the oracle runs packaging.tags.sys_tags() as if
on it, replacing only what packaging reads from the running system (sys, platform,
sysconfig, glibc/musl detection, ELF checks):
  {"os": "linux", "arch": "x86_64", "glibc": [2, 17] | null, "musl": [1, 2] | null,
   "impl": "cp" | "pp", "version": [3, 11], "debug": false, "threaded": false,
   "pymalloc": false, "pypy_abi": "pp73"}
  os "mac": "mac_version": [14, 0], arch; os "windows": "win_platform": "win-amd64".
A wheel result is {"name", "version", "build": [n, "rest"] | null, "tags": [sorted]} or
{"error": "<exception class>"}.
"""

import contextlib
import json
import sys
import types
from unittest import mock

import packaging
from packaging import _manylinux, _musllinux, tags, utils


def fake_modules(spec):
    impl = spec["impl"]
    major, minor = spec["version"]
    nodot = f"{major}{minor}"
    os_kind = spec["os"]
    if os_kind == "linux":
        plat = "linux-" + spec["arch"]
        system = "Linux"
    elif os_kind == "mac":
        mac = spec["mac_version"]
        plat = f"macosx-{mac[0]}.{mac[1]}-{spec['arch']}"
        system = "Darwin"
    else:
        plat = spec["win_platform"]
        system = "Windows"
    if impl == "cp":
        ext_suffix = f".cpython-{nodot}-x.so"
        name = "cpython"
    else:
        ext_suffix = f".pypy{nodot}-{spec['pypy_abi']}-x86_64-linux-gnu.so"
        name = "pypy"
    config = {
        "Py_DEBUG": 1 if spec.get("debug") else 0,
        "Py_GIL_DISABLED": 1 if spec.get("threaded") else 0,
        "WITH_PYMALLOC": 1 if spec.get("pymalloc") else 0,
        "Py_UNICODE_SIZE": 4,
        "py_version_nodot": nodot,
        "EXT_SUFFIX": ext_suffix,
    }
    fake_sysconfig = types.SimpleNamespace(
        get_platform=lambda: plat, get_config_var=lambda key: config.get(key)
    )
    mac_release = ""
    if os_kind == "mac":
        mac_release = f"{spec['mac_version'][0]}.{spec['mac_version'][1]}"
    fake_platform = types.SimpleNamespace(
        system=lambda: system,
        mac_ver=lambda: (mac_release, ("", "", ""), spec["arch"]),
    )
    fake_sys = types.SimpleNamespace(
        version_info=(major, minor, 0, "final", 0),
        implementation=types.SimpleNamespace(name=name),
        executable=sys.executable,
        maxunicode=sys.maxunicode,
    )
    return fake_sysconfig, fake_platform, fake_sys


def sys_tags_for(spec):
    fake_sysconfig, fake_platform, fake_sys = fake_modules(spec)
    glibc = spec.get("glibc")
    musl = spec.get("musl")
    with contextlib.ExitStack() as stack:
        patch = lambda *a, **k: stack.enter_context(mock.patch.object(*a, **k))  # noqa: E731
        patch(tags, "sysconfig", fake_sysconfig)
        patch(tags, "platform", fake_platform)
        patch(tags, "sys", fake_sys)
        patch(tags, "EXTENSION_SUFFIXES", [".so"])
        patch(tags, "_32_BIT_INTERPRETER", False)
        patch(
            _manylinux,
            "_get_glibc_version",
            lambda: _manylinux._GLibCVersion(*(glibc or (-1, -1))),
        )
        patch(_manylinux, "_get_manylinux_module", lambda: None)
        patch(_manylinux, "_is_linux_armhf", lambda executable: True)
        patch(_manylinux, "_is_linux_i686", lambda executable: True)
        patch(
            _musllinux,
            "_get_musl_version",
            lambda executable: _musllinux._MuslVersion(*musl) if musl else None,
        )
        return [str(tag) for tag in tags.sys_tags()]


def parse_wheel(filename):
    try:
        name, version, build, tag_set = utils.parse_wheel_filename(filename)
    except Exception as error:  # noqa: BLE001 - the class is the answer
        return {"error": type(error).__name__}
    return {
        "name": name,
        "version": str(version),
        "build": [str(build[0]), build[1]] if build else None,
        "tags": sorted(str(tag) for tag in tag_set),
    }


def parse_tag(text):
    try:
        return sorted(str(tag) for tag in tags.parse_tag(text))
    except Exception as error:  # noqa: BLE001 - the class is the answer
        return {"error": type(error).__name__}


def answer(case):
    kind = case["k"]
    if kind == "sys_tags":
        return sys_tags_for(case["spec"])
    if kind == "wheel":
        return parse_wheel(case["s"])
    if kind == "tag":
        return parse_tag(case["s"])
    raise ValueError(f"unknown case kind {kind!r}")


def main():
    cases = json.load(sys.stdin)
    json.dump({"packaging": packaging.__version__, "results": [answer(c) for c in cases]}, sys.stdout)


if __name__ == "__main__":
    main()
