"""The running interpreter's supported wheel tags, best first (as packaging.tags.sys_tags())."""
import os
import re
import struct
import sys
import sysconfig

_LEGACY_MANYLINUX = {
    (2, 17): ("manylinux2014", ("x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x")),
    (2, 12): ("manylinux2010", ("x86_64", "i686")),
    (2, 5): ("manylinux1", ("x86_64", "i686")),
}


def _normalize(s):
    return s.replace("-", "_").replace(".", "_")


def interpreter_short():
    name = sys.implementation.name
    return {"cpython": "cp", "pypy": "pp", "ironpython": "ip", "jython": "jy"}.get(name, name)


def interpreter_nodot():
    v = sysconfig.get_config_var("py_version_nodot")
    return str(v) if v else "%d%d" % sys.version_info[:2]


def glibc_version():
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION")  # "glibc 2.35"
    except (AttributeError, OSError, ValueError):
        return None
    if not text:
        return None
    m = re.match(r"glibc (\d+)\.(\d+)", text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def _elf_interpreter(path):
    """The PT_INTERP of an ELF executable (e.g. /lib/ld-musl-x86_64.so.1), or None."""
    try:
        with open(path, "rb") as f:
            ident = f.read(16)
            if ident[:4] != b"\x7fELF":
                return None
            bits = ident[4]
            endian = "<" if ident[5] == 1 else ">"
            if bits == 2:
                f.seek(32)
                (phoff,) = struct.unpack(endian + "Q", f.read(8))
                f.seek(54)
                phentsize, phnum = struct.unpack(endian + "HH", f.read(4))
                entry_fmt, off_idx, size_idx = endian + "IIQQQQQQ", 2, 5
            else:
                f.seek(28)
                (phoff,) = struct.unpack(endian + "I", f.read(4))
                f.seek(42)
                phentsize, phnum = struct.unpack(endian + "HH", f.read(4))
                entry_fmt, off_idx, size_idx = endian + "IIIIIIII", 1, 4
            for i in range(phnum):
                f.seek(phoff + i * phentsize)
                fields = struct.unpack(entry_fmt, f.read(struct.calcsize(entry_fmt)))
                if fields[0] == 3:  # PT_INTERP
                    f.seek(fields[off_idx])
                    return f.read(fields[size_idx]).rstrip(b"\0").decode("ascii", "replace")
    except (OSError, struct.error):
        return None
    return None


def musl_version(executable=None):
    interp = _elf_interpreter(executable or sys.executable)
    if not interp or "musl" not in interp:
        return None
    import subprocess

    try:
        proc = subprocess.run([interp], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError:
        return None
    m = re.search(r"Version (\d+)\.(\d+)", proc.stderr.decode("utf-8", "replace"))
    return (int(m.group(1)), int(m.group(2))) if m else None


def _linux_arch():
    arch = _normalize(sysconfig.get_platform())  # linux_x86_64
    if arch.startswith("linux_"):
        arch = arch[len("linux_"):]
    if struct.calcsize("P") == 4 and arch == "x86_64":
        arch = "i686"
    elif struct.calcsize("P") == 4 and arch == "aarch64":
        arch = "armv7l"
    return arch


def linux_platforms():
    arch = _linux_arch()
    out = ["linux_" + arch]  # a wheel built on this very machine ranks first, as in packaging
    glibc = glibc_version()
    if glibc and glibc[0] == 2:
        floor = 5 if arch in ("x86_64", "i686") else 17
        for minor in range(glibc[1], floor - 1, -1):
            out.append("manylinux_2_%d_%s" % (minor, arch))
            legacy = _LEGACY_MANYLINUX.get((2, minor))
            if legacy and arch in legacy[1]:
                out.append("%s_%s" % (legacy[0], arch))
    musl = musl_version()
    if musl and musl[0] == 1:
        for minor in range(musl[1], -1, -1):
            out.append("musllinux_1_%d_%s" % (minor, arch))
    return out


def mac_platforms(version=None, arch=None):
    import platform

    if version is None:
        version = tuple(int(x) for x in (platform.mac_ver()[0] or "11.0").split(".")[:2])
    if version == (10, 16) and arch is None:  # compatibility alias reported by old Pythons on 11+
        import subprocess

        try:
            out = subprocess.run(
                [sys.executable, "-sS", "-c", "import platform; print(platform.mac_ver()[0])"],
                stdout=subprocess.PIPE, env=dict(os.environ, SYSTEM_VERSION_COMPAT="0"),
            ).stdout.decode().strip()
            version = tuple(int(x) for x in out.split(".")[:2])
        except (OSError, ValueError):
            pass
    arch = arch or platform.machine()
    if arch == "arm64":
        formats = ["arm64", "universal2"]
    elif arch == "x86_64":
        formats = ["x86_64", "intel", "fat64", "fat3", "universal2", "universal"]  # "fat3" as packaging
    else:
        formats = [arch, "universal"]
    out = []
    if version[0] >= 11:
        for major in range(version[0], 10, -1):
            for fmt in formats:
                out.append("macosx_%d_0_%s" % (major, fmt))
        top10 = 16
    else:
        top10 = version[1]
    for minor in range(top10, 3, -1):
        for fmt in formats:
            if arch == "x86_64" or fmt == "universal2":
                out.append("macosx_10_%d_%s" % (minor, fmt))
    return out


def platform_tags():
    if sys.platform.startswith("linux"):
        return linux_platforms()
    if sys.platform == "darwin":
        return mac_platforms()
    return [_normalize(sysconfig.get_platform())]  # win_amd64, win32, win_arm64, freebsd_...


def _cpython_abis():
    nodot = interpreter_nodot()
    flags = ""
    if sysconfig.get_config_var("Py_DEBUG") or hasattr(sys, "gettotalrefcount"):
        flags += "d"
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        flags += "t"
    if sys.version_info < (3, 8) and sysconfig.get_config_var("WITH_PYMALLOC"):
        flags += "m"
    return ["cp%s%s" % (nodot, flags)]


def _generic_abis():
    ext = sysconfig.get_config_var("EXT_SUFFIX") or ""
    parts = ext.split(".")
    if len(parts) < 3:
        return []
    soabi = parts[1]
    if soabi.startswith("cpython"):
        return ["cp" + soabi.split("-")[1]]
    if soabi.startswith("pypy"):
        return ["-".join(soabi.split("-")[:2]).replace("-", "_")]
    return [_normalize(soabi)] if soabi else []


def _py_range(major, minor):
    yield "py%d%d" % (major, minor)
    yield "py%d" % major
    for m in range(minor - 1, -1, -1):
        yield "py%d%d" % (major, m)


def sys_tags():
    """Ordered list of "interp-abi-platform" strings this interpreter accepts, best first."""
    major, minor = sys.version_info[:2]
    plats = platform_tags()
    short = interpreter_short()
    interp = short + interpreter_nodot()
    out = []
    if short == "cp":
        abis = _cpython_abis()
        for abi in abis:
            out.extend("%s-%s-%s" % (interp, abi, p) for p in plats)
        abi3 = "t" not in abis[0]
        if abi3:
            out.extend("%s-abi3-%s" % (interp, p) for p in plats)
        out.extend("%s-none-%s" % (interp, p) for p in plats)
        if abi3:
            for m in range(minor - 1, 1, -1):
                out.extend("cp%d%d-abi3-%s" % (major, m, p) for p in plats)
    else:
        for abi in _generic_abis() + ["none"]:
            out.extend("%s-%s-%s" % (interp, abi, p) for p in plats)
    for py in _py_range(major, minor):
        out.extend("%s-none-%s" % (py, p) for p in plats)
    out.append("%s-none-any" % (interp if short == "cp" else "%s%d" % (short, major)))
    out.extend("%s-none-any" % py for py in _py_range(major, minor))
    seen, ordered = set(), []
    for t in out:
        if t not in seen:
            seen.add(t)
            ordered.append(t)
    return ordered


def wheel_tags(filename):
    """The set of "interp-abi-platform" tags a wheel file name declares (compressed sets expanded)."""
    base = filename[:-4] if filename.endswith(".whl") else filename
    parts = base.split("-")
    if len(parts) not in (5, 6):
        raise ValueError("invalid wheel file name: %r" % filename)
    pys, abis, plats = parts[-3], parts[-2], parts[-1]
    return set(
        "%s-%s-%s" % (py, abi, plat)
        for py in pys.split(".")
        for abi in abis.split(".")
        for plat in plats.split(".")
    )
