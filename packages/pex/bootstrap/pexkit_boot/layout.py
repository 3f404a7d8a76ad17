"""The folders of a PEX_ROOT, named once (docs/cache-layout.md; src/cache/layout.ts names the same
ones for the TypeScript side, and a test checks that both agree). Stage 1 (`__main__.py`) spells
`pexes` and `bootstrap` itself, so the warm start imports nothing; the test covers those too."""

BOOTSTRAP = "bootstrap"  # the runtime extracted: <bootstrap_hash>/
CODE = "code"  # first-party code extracted: <code_hash>/
INSTALLED = "installed"  # installed wheels: <wheel sha256>/
PEXES = "pexes"  # start plans: <pex_hash>/<interpreter key>.json
VENVS = "venvs"  # venv-mode PEXes: <pex_hash>/<interpreter key>/
SITES = "sites"  # one sys.path entry for several wheels (symlinks into installed/): <sha256 of their dirs>/
LOCKS = "locks"  # flock files, one per entry: <folder>_<name>.lock
TRASH = "trash"  # entries being removed by a prune

DIRS = {
    "bootstrap": BOOTSTRAP, "code": CODE, "installed": INSTALLED, "pexes": PEXES,
    "venvs": VENVS, "sites": SITES, "locks": LOCKS, "trash": TRASH,
}
