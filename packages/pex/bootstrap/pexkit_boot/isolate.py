"""Hermetic sys.path: the PEX's code and wheels plus the stdlib, nothing from site-packages,
the user site or PYTHONPATH (unless inherit_path says so)."""
import os
import site
import sys


def _site_dirs():
    dirs = set()
    try:
        dirs.update(site.getsitepackages())
    except AttributeError:  # old virtualenv's site.py
        pass
    try:
        dirs.add(site.getusersitepackages())
    except AttributeError:
        pass
    return set(os.path.abspath(d) for d in dirs if d)


def _is_site_dir(path, site_dirs):
    if path in site_dirs:
        return True
    base = os.path.basename(path.rstrip(os.sep))
    return base in ("site-packages", "dist-packages") or any(path.startswith(d + os.sep) for d in site_dirs)


def split_sys_path(pex, path=None, environ=None, exclude=()):
    """Split the interpreter's sys.path into (stdlib entries, inherited entries).

    Inherited: site-packages, user site, PYTHONPATH entries and whatever .pth files under them
    added. The PEX itself (sys.path[0] when run as `python app.pex`) and the script dir are dropped.
    """
    environ = os.environ if environ is None else environ
    path = sys.path if path is None else path
    site_dirs = _site_dirs()
    pythonpath = set(
        os.path.abspath(p) for p in (environ.get("PYTHONPATH") or "").split(os.pathsep) if p
    )
    pex = os.path.abspath(pex)
    exclude = set(os.path.abspath(e) for e in exclude)
    std, inherited = [], []
    for entry in path:
        p = os.path.abspath(entry or os.curdir)
        if p == pex or p.startswith(pex + os.sep) or p in exclude:
            continue
        if p in pythonpath or _is_site_dir(p, site_dirs):
            if p not in inherited:
                inherited.append(p)
        elif p not in std:
            std.append(p)
    return std, inherited


def build_sys_path(code_dirs, wheel_dirs, std, inherited, inherit, extra):
    """The final sys.path order: code, stdlib, (prefer: inherited), wheels, (fallback: inherited), extra."""
    out = []

    def add(items):
        for p in items:
            if p not in out:
                out.append(p)

    add(code_dirs)
    add(std)
    if inherit == "prefer":
        add(inherited)
    add(wheel_dirs)
    if inherit == "fallback":
        add(inherited)
    add(extra)
    return out


def pth_dirs(dirs):
    """The dirs among `dirs` that hold .pth files (to be processed with site.addsitedir)."""
    out = []
    for d in dirs:
        try:
            if any(n.endswith(".pth") for n in os.listdir(d)):
                out.append(d)
        except OSError:
            pass
    return out
