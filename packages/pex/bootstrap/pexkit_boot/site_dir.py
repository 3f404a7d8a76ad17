"""One sys.path entry for all the wheels: `sites/<key>/`, a directory of relative symlinks into the
installed trees, made once like every cache dir and never changed by pexkit afterwards.

With one entry per wheel, every top-level import that is not in the stdlib asks each wheel's
directory in turn (a stat and a lookup each, ~10 us), and every failed optional import asks all
of them: with 100+ wheels that is most of a warm start's import time. Merged, it is one lookup,
as in a venv's site-packages. A name that only one wheel has is one symlink (its whole tree); a
directory several wheels have (a namespace package such as `google/`, `__pycache__`, `bin/`) is
a real directory merging theirs, recursively. On a clash of files the wheel earlier on the path
wins, as it did with one entry per wheel. `__file__` stays inside the site dir and resolves
into the wheel's own tree, so data found relative to it is found; `.pth` files are linked too
and run from here. Not used on Windows (no symlinks without privileges) or for one wheel.
"""
import hashlib
import os
import sys

from . import layout


def wanted(wheel_dirs):
    return len(wheel_dirs) > 1 and sys.platform != "win32" and hasattr(os, "symlink")


def path_for(root, wheel_dirs):
    """`root/sites/<sha256 of the wheel dirs, in order>`."""
    key = hashlib.sha256("\n".join(wheel_dirs).encode("utf-8")).hexdigest()
    return os.path.join(root, layout.SITES, key)


def link(dest, sources):
    """Fill the directory `dest` with relative symlinks to the entries of `sources` (in order),
    merging the directories that several of them have into real directories."""
    names = {}
    for src in sources:
        for name in os.listdir(src):
            names.setdefault(name, []).append(os.path.join(src, name))
    for name in sorted(names):
        paths = names[name]
        target = os.path.join(dest, name)
        dirs = [p for p in paths if os.path.isdir(p)]
        if len(dirs) > 1 and os.path.isdir(paths[0]):
            os.mkdir(target)
            link(target, dirs)
        else:
            os.symlink(os.path.relpath(paths[0], dest), target)
