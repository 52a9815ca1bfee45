# Sourced by scripts/demo, scripts/test and scripts/lock: make .venv (Python 3.11+) and install
# the tested dependency set (requirements.lock) and the project into it, again whenever
# pyproject.toml or requirements.lock changes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pick_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "tip_pipeline needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv/ ..." >&2
  "$(pick_python)" -m venv .venv
fi
stamp=.venv/.tip-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ requirements.lock -nt "$stamp" ]; then
  echo "Installing the tested dependency set (requirements.lock) and tip_pipeline into .venv/" \
    "(a few minutes the first time) ..." >&2
  .venv/bin/python -m pip install --quiet --upgrade pip
  # every package pinned with its hashes (scripts/lock re-resolves them), then the project
  .venv/bin/python -m pip install --quiet -r requirements.lock
  .venv/bin/python -m pip install --quiet --no-deps -e .
  touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
export DAGSTER_HOME="${DAGSTER_HOME:-$PWD/.dagster_home}"
mkdir -p "$DAGSTER_HOME"
# the instance's settings (one warehouse writer at a time on SQLite), unless it has its own
[ -f "$DAGSTER_HOME/dagster.yaml" ] || cp deploy/local/dagster.yaml "$DAGSTER_HOME/dagster.yaml"
