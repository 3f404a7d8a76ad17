/**
 * The Python (2.7 and 3.x, stdlib only) run by `inspectInterpreter`: prints one JSON object with
 * the marker environment, the ABI, a platform description, and — when `packaging` is importable
 * (and PEXKIT_INSPECT_NO_PACKAGING is unset) — `packaging.tags.sys_tags()` verbatim.
 */
export const INSPECT_SCRIPT = String.raw`
import json, os, platform, struct, sys, sysconfig

def fmt_full(info):
    v = "%d.%d.%d" % (info[0], info[1], info[2])
    kind = info[3]
    if kind != "final":
        v += kind[0] + str(info[4])
    return v

impl = getattr(sys, "implementation", None)
impl_name = impl.name if impl is not None else "cpython"
impl_version = fmt_full(impl.version) if impl is not None else fmt_full(sys.version_info)
env = {
    "implementation_name": impl_name,
    "implementation_version": impl_version,
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_python_implementation": platform.python_implementation(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}

def cfg(name):
    try:
        return sysconfig.get_config_var(name)
    except Exception:
        return None

nodot = "%d%d" % sys.version_info[:2]
if impl_name == "cpython":
    d = "d" if cfg("Py_DEBUG") or hasattr(sys, "gettotalrefcount") else ""
    t = "t" if cfg("Py_GIL_DISABLED") else ""
    m = "m" if sys.version_info < (3, 8) and cfg("WITH_PYMALLOC") else ""
    u = "u" if sys.version_info < (3, 3) and sys.maxunicode == 0x10FFFF else ""
    abi = "cp" + nodot + t + d + m + u
else:
    # packaging.tags._generic_abi: from EXT_SUFFIX (".pypy39-pp73-x86_64-linux-gnu.so").
    ext = cfg("EXT_SUFFIX") or ""
    soabi = ext.split(".")[1] if ext.count(".") >= 2 else (cfg("SOABI") or "")
    if soabi.startswith("pypy"):
        abi = "-".join(soabi.split("-")[:2])
    elif soabi.startswith("graalpy"):
        abi = "-".join(soabi.split("-")[:3])
    else:
        abi = soabi or "none"
    abi = abi.replace("-", "_").replace(".", "_").lower()

def glibc():
    try:
        v = os.confstr("CS_GNU_LIBC_VERSION")
        name, ver = v.split()
        if name == "glibc":
            return [int(x) for x in ver.split(".")[:2]]
    except Exception:
        pass
    return None

def musl():
    import glob, subprocess
    for loader in sorted(glob.glob("/lib/ld-musl-*.so.1")):
        try:
            p = subprocess.Popen([loader], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            out = p.communicate()[1].decode("utf-8", "replace")
            for line in out.splitlines():
                line = line.strip()
                if line.startswith("Version "):
                    return [int(x) for x in line.split()[1].split(".")[:2]]
        except Exception:
            pass
    return None

plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
info = {"sysconfig_platform": plat, "machine": platform.machine(), "bits": struct.calcsize("P") * 8}
if sys.platform.startswith("linux"):
    arch = plat[len("linux_"):] if plat.startswith("linux_") else platform.machine()
    if info["bits"] == 32:
        arch = {"x86_64": "i686", "aarch64": "armv8l"}.get(arch, arch)
    info["arch"] = arch
    info["glibc"] = glibc()
    info["musl"] = None if info["glibc"] else musl()
elif sys.platform == "darwin":
    ver = platform.mac_ver()[0]
    info["mac_version"] = [int(x) for x in ver.split(".")[:2]] if ver else None
    info["arch"] = platform.machine()

out = {"executable": sys.executable, "marker_environment": env, "abi": abi, "platform": info,
       "version": list(sys.version_info[:3])}
if not os.environ.get("PEXKIT_INSPECT_NO_PACKAGING"):
    try:
        from packaging import tags
        out["compatible_tags"] = [str(t) for t in tags.sys_tags()]
    except Exception:
        pass
sys.stdout.write(json.dumps(out))
`;
