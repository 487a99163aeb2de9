#!/usr/bin/env bash
# Create .venv and install idebot with its development tools, again only when pyproject.toml
# changed. Sourced by scripts/start and scripts/test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
stamp="$root/.venv/.installed-$(sha256sum "$root/pyproject.toml" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setting up $root/.venv (first run takes a minute)..." >&2
  [ -x "$root/.venv/bin/python" ] || "$python" -m venv "$root/.venv"
  "$root/.venv/bin/python" -m pip install --quiet --upgrade pip
  "$root/.venv/bin/python" -m pip install --quiet -e "$root[dev]"
  rm -f "$root"/.venv/.installed-*
  touch "$stamp"
fi
