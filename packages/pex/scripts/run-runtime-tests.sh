#!/usr/bin/env bash
# Runs the PEX runtime's pytest suite (packages/pex/bootstrap-tests) once per interpreter found:
# every ~/.pyenv/versions/3.8+ CPython and pypy3 if installed. Fails if any run fails.
# pytest itself comes from .venv-tools; the PEXes under test run with the interpreter given by --python.
set -uo pipefail
# Plain tracebacks for the assertions that read them (Python 3.13 colours them under FORCE_COLOR).
export PYTHON_COLORS=0
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
pytest="$repo/.venv-tools/bin/pytest"
if [ ! -x "$pytest" ]; then
  echo "run-runtime-tests: $pytest not found; run: bash tools/setup-python-tools.sh" >&2
  exit 1
fi

interpreters=()
for py in "$HOME"/.pyenv/versions/3.*/bin/python3; do
  [ -x "$py" ] || continue
  minor="$("$py" -c 'import sys; print(sys.version_info[1])' 2>/dev/null)" || continue
  [ "$minor" -ge 8 ] && interpreters+=("$py")
done
if command -v pypy3 >/dev/null 2>&1; then interpreters+=("$(command -v pypy3)"); fi
if [ "${#interpreters[@]}" -eq 0 ]; then
  echo "run-runtime-tests: no Python 3.8+ interpreter found" >&2
  exit 1
fi

failed=()
for py in "${interpreters[@]}"; do
  echo "=== runtime tests under $py ($("$py" -c 'import sys; print(sys.version.split()[0])'))"
  if ! "$pytest" -q -p no:cacheprovider "$here/bootstrap-tests" --python "$py" "$@"; then
    failed+=("$py")
  fi
done
if [ "${#failed[@]}" -ne 0 ]; then
  echo "run-runtime-tests: FAILED under: ${failed[*]}" >&2
  exit 1
fi
echo "run-runtime-tests: passed under ${#interpreters[@]} interpreters"
