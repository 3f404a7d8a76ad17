#!/usr/bin/env bash
# Creates <repo>/.venv-tools with the pinned reference tools (packaging, pex, shiv, uv, pytest),
# and <repo>/.venv-tools/path holding only `uv`, for PATH (the inferred Python test targets run
# `uv run`; putting the venv's bin/ on PATH would also change which `python3` the tests see).
# Idempotent: does nothing when the venv already matches tools/requirements-tools.txt. The stamp
# file is written last, so a half-made venv (killed install) is rebuilt on the next call.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv-tools"
req="$root/tools/requirements-tools.txt"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
link_uv() {
  mkdir -p "$venv/path"
  ln -sfn ../bin/uv "$venv/path/uv"
}
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  link_uv
  exit 0
fi
python="${PEXKIT_TOOLS_BASE_PYTHON:-$(command -v python3)}"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
link_uv
echo "$want" > "$stamp"
