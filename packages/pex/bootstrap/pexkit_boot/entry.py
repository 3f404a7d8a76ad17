"""What to run: PEX_INTERPRETER / PEX_SCRIPT / PEX_MODULE / entry_point / script, resolved to
["module", name] | ["func", module, attrs] | ["path", file] | ["interpreter"]."""
import os
import sys


class EntryError(Exception):
    pass


def parse_entry_point(text):
    text = text.split("[", 1)[0].strip()  # drop console-script extras
    if ":" in text:
        mod, attrs = text.split(":", 1)
        return ["func", mod.strip(), attrs.strip()]
    return ["module", text]


def read_entry_points(dist_info_dir):
    """{group: {name: value}} from an entry_points.txt (INI style)."""
    path = os.path.join(dist_info_dir, "entry_points.txt")
    groups, current = {}, None
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return groups
    for line in lines:
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = groups.setdefault(line[1:-1].strip(), {})
        elif current is not None and "=" in line:
            name, value = line.split("=", 1)
            current[name.strip()] = value.strip()
    return groups


def dist_infos(dirs):
    out = []
    for d in dirs:
        try:
            names = sorted(os.listdir(d))
        except OSError:
            continue
        out.extend(os.path.join(d, n) for n in names if n.endswith(".dist-info"))
    return out


def find_script(name, code_dirs, wheel_dirs):
    """A console script (entry_points.txt, first-party first) or a `bin/` script of a wheel."""
    known = []
    for di in dist_infos(code_dirs) + dist_infos(wheel_dirs):
        groups = read_entry_points(di)
        for group in ("console_scripts", "gui_scripts"):
            scripts = groups.get(group, {})
            if name in scripts:
                return parse_entry_point(scripts[name])
            known.extend(scripts)
    # A file name, never a path: PEX_SCRIPT=../../bin/sh must not reach outside bin/.
    safe = name not in ("", ".", "..") and "/" not in name and os.sep not in name
    for d in wheel_dirs if safe else ():
        path = os.path.join(d, "bin", name)
        if os.path.isfile(path):
            return ["path", path]
        try:
            known.extend(os.listdir(os.path.join(d, "bin")))
        except OSError:
            pass
    raise EntryError(
        "pexkit: script %r not found in the PEX's distributions; available: %s"
        % (name, ", ".join(sorted(set(known))) or "none")
    )


def choose(info, environ, code_dirs, wheel_dirs):
    """The entry to run and a few words on why (for PEX_VERBOSE)."""
    if environ.get("PEX_INTERPRETER", "").lower() in ("1", "true"):
        return ["interpreter"], "PEX_INTERPRETER"
    if environ.get("PEX_SCRIPT"):
        return find_script(environ["PEX_SCRIPT"], code_dirs, wheel_dirs), "PEX_SCRIPT"
    if environ.get("PEX_MODULE"):
        return parse_entry_point(environ["PEX_MODULE"]), "PEX_MODULE"
    if info.get("entry_point"):
        return parse_entry_point(info["entry_point"]), "entry_point"
    if info.get("script"):
        return find_script(info["script"], code_dirs, wheel_dirs), "script"
    return ["interpreter"], "no entry point"


def run_interpreter(stage1):
    """Behave like `python` with the PEX's sys.path: REPL, `-c CMD`, `-m MOD`, `-` or a script."""
    args = sys.argv[1:]
    if not args:
        import code

        sys.argv[:] = [""]
        try:
            import readline  # noqa: F401  (line editing when available)
        except ImportError:
            pass
        code.interact(
            banner="Python %s on %s (pexkit %s)" % (sys.version, sys.platform, os.environ.get("PEX", "")),
            exitmsg="",
        )
        return
    if args[0] == "-c" and len(args) > 1:
        sys.argv[:] = ["-c"] + args[2:]
        stage1.run_as_main(compile(args[1], "<string>", "exec"), "<string>")
    elif args[0] == "-m" and len(args) > 1:
        sys.argv[:] = [args[1]] + args[2:]
        stage1.run_entry(["module", args[1]])
    elif args[0] == "-":
        sys.argv[:] = ["-"] + args[1:]
        stage1.run_as_main(compile(sys.stdin.read(), "<stdin>", "exec"), "<stdin>")
    else:
        path = os.path.abspath(args[0])
        if not os.path.isfile(path):
            # What `python FILE` says (a PEX in interpreter mode takes a script path first).
            sys.stderr.write(
                "%s: can't open file %r: [Errno 2] No such file or directory\n"
                % (os.environ.get("PEX", sys.argv[0] or "pex"), path)
            )
            sys.exit(2)
        sys.argv[:] = args
        stage1.run_entry(["path", path])
