#!/usr/bin/env bash
# Creates <repo>/.venv-tools with the pinned reference tools (packaging, pex, shiv, uv, pytest).
# Idempotent: does nothing when the venv already matches tools/requirements-tools.txt. The stamp
# file is written last, so a half-made venv (killed install) is rebuilt on the next call.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv-tools"
req="$root/tools/requirements-tools.txt"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
python="${PEXKIT_TOOLS_BASE_PYTHON:-$(command -v python3)}"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
echo "$want" > "$stamp"
