"""Build a real virtualenv from the cached trees (venv mode, and `PEX_TOOLS=1 app.pex venv DIR`)."""
import json
import os
import shutil
import sys
import sysconfig

from . import entry as entry_mod

RUNNER = "__pexkit_venv_main__"
_RUNNER_SOURCE = '''import json, os, sys
import __pexkit_stage1__ as stage1
def main():
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "__pexkit_venv__.json")) as f:
        cfg = json.load(f)
    pex = sys.argv.pop(1) if len(sys.argv) > 1 and cfg["pex_arg"] else cfg["pex"]
    sys.argv[0] = pex
    stage1.prepare_env(pex, cfg["info"])
    stage1.run_entry(cfg["entry"])
if __name__ == "__main__":
    main()
'''


def _link_tree(src, dst, copy):
    """Merge `src` into `dst`: symlink (or copy) entries, descending where both sides are dirs."""
    os.makedirs(dst, exist_ok=True)
    for name in os.listdir(src):
        if name == "__pycache__":
            continue
        s, d = os.path.join(src, name), os.path.join(dst, name)
        if os.path.lexists(d):
            if os.path.isdir(s) and os.path.isdir(d):
                if os.path.islink(d):  # split an earlier link into a real dir to merge into
                    prev = os.path.realpath(d)
                    os.unlink(d)
                    _link_tree(prev, d, copy)
                _link_tree(s, d, copy)
            continue  # first wheel wins for a clashing file (as pip would overwrite: rare)
        if copy:
            if os.path.isdir(s):
                shutil.copytree(s, d, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(s, d)
        else:
            os.symlink(s, d)


def _write_script(path, python, body, mode=0o755):
    with open(path, "w") as f:
        f.write("#!%s\n%s" % (python, body))
    os.chmod(path, mode)


def build(dest, final, code_dirs, wheel_dirs, info, entry, pex, stage1_source, copy=False):
    """Make a virtualenv in `dest` (renamed to `final` afterwards) holding the code and wheel
    trees; return the path its python will have."""
    real_python = os.path.realpath(sys.executable)
    bindir = os.path.join(dest, "Scripts" if sys.platform == "win32" else "bin")
    os.makedirs(bindir)
    version = "%d.%d.%d" % sys.version_info[:3]
    with open(os.path.join(dest, "pyvenv.cfg"), "w") as f:
        f.write("home = %s\ninclude-system-site-packages = false\nversion = %s\n" % (os.path.dirname(real_python), version))
        f.write("executable = %s\ncreator = pexkit\n" % real_python)
    os.symlink(real_python, os.path.join(bindir, "python"))
    python = os.path.join(final, os.path.basename(bindir), "python")  # for shebangs
    for alias in ("python3", "python%d.%d" % sys.version_info[:2], os.path.basename(real_python)):
        if not os.path.lexists(os.path.join(bindir, alias)):
            os.symlink("python", os.path.join(bindir, alias))
    site_packages = sysconfig.get_paths(vars={"base": dest, "platbase": dest})["purelib"]
    os.makedirs(site_packages)
    for tree in list(code_dirs) + list(wheel_dirs):
        for name in os.listdir(tree):
            if name in ("bin", "data", "include", "__pycache__"):
                continue
            src = os.path.join(tree, name)
            if os.path.isdir(src):
                _link_tree(src, os.path.join(site_packages, name), copy)
            else:
                dst = os.path.join(site_packages, name)
                if not os.path.lexists(dst):
                    (shutil.copy2 if copy else os.symlink)(src, dst)
        for sub, target in (("data", dest), ("include", os.path.join(dest, "include"))):
            if os.path.isdir(os.path.join(tree, sub)):
                _link_tree(os.path.join(tree, sub), target, True)
        scripts = os.path.join(tree, "bin")
        if os.path.isdir(scripts):
            for name in os.listdir(scripts):
                with open(os.path.join(scripts, name), "rb") as f:
                    data = f.read()
                if data.startswith(b"#!") and b"python" in data.split(b"\n", 1)[0]:
                    data = b"#!" + python.encode() + b"\n" + data.split(b"\n", 1)[1]
                with open(os.path.join(bindir, name), "wb") as f:
                    f.write(data)
                os.chmod(os.path.join(bindir, name), 0o755)
    for di in entry_mod.dist_infos([site_packages]):
        for name, value in entry_mod.read_entry_points(di).get("console_scripts", {}).items():
            _, mod, attrs = (entry_mod.parse_entry_point(value) + [""])[:3]
            if not attrs:
                continue
            body = (
                "import importlib, sys\n_o = importlib.import_module(%r)\n"
                "for _a in %r.split('.'):\n    _o = getattr(_o, _a)\nsys.exit(_o())\n" % (mod, attrs)
            )
            _write_script(os.path.join(bindir, name), python, body)
    with open(os.path.join(site_packages, "__pexkit_stage1__.py"), "w") as f:
        f.write(stage1_source)
    with open(os.path.join(site_packages, RUNNER + ".py"), "w") as f:
        f.write(_RUNNER_SOURCE)
    cfg = {
        "pex": pex,
        "pex_arg": not copy,  # cache venvs get the PEX path as argv[1]; exported ones do not
        "entry": entry,
        "info": dict((k, info.get(k)) for k in ("inject_env", "inject_args", "strip_pex_env") if k in info),
    }
    with open(os.path.join(site_packages, "__pexkit_venv__.json"), "w") as f:
        json.dump(cfg, f, sort_keys=True, indent=1)
    if copy:
        _write_script(os.path.join(dest, "pex"), python + " -I", "import runpy\nrunpy.run_module(%r, run_name='__main__')\n" % RUNNER)
    return python


def exec_command(python):
    """argv prefix for running the venv's entry point; the PEX path and user args follow."""
    return [python, "-I", "-m", RUNNER]
