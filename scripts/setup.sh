#!/usr/bin/env bash
# Set up a fresh machine for glassgrad: the Graphviz `dot` program (Debian/Ubuntu) and the
# Python package with the extras named in $1 (comma-separated, e.g. "dev,compare").
set -euo pipefail
extras="${1:-}"
cd "$(dirname "$0")/.."

if ! command -v dot >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq graphviz >/dev/null
  else
    echo "setup: please install Graphviz (macOS: brew install graphviz; conda: conda install graphviz)" >&2
  fi
fi

PY="${PYTHON:-python3}"
export PYTHON="$PY"
# Test-only system packages (a headless browser for the HTML player test), when asked for.
case ",$extras," in
  *,dev,*) [ -f scripts/setup_browser.sh ] && bash scripts/setup_browser.sh ;;
esac
$PY -m pip install -q --upgrade pip >/dev/null 2>&1 || true
case ",$extras," in
  *,compare,*)
    # The CPU build of torch; an unpinned `torch` would pull a multi-GB CUDA build.
    $PY -m pip install -q "torch==2.13.0" ;;
esac
if [ -n "$extras" ]; then
  $PY -m pip install -q -e ".[$extras]"
else
  $PY -m pip install -q -e .
fi
