# Sourced by scripts/bench and scripts/test: one idempotent set-up for a fresh machine.
# Creates .venv, installs tunerbench with its pinned dependencies, and, where it runs as root on
# Debian, the system packages the suite uses (Fashion-MNIST's IDX files and Chromium).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  want=()
  [ -d /usr/share/datasets/fashion-mnist ] || want+=(dataset-fashion-mnist)
  [ -x /usr/bin/chromium ] || want+=(chromium)
  if [ ${#want[@]} -gt 0 ]; then
    echo "installing Debian packages: ${want[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}" >/dev/null
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.tunerbench-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[bench,test,dev]"
  touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
