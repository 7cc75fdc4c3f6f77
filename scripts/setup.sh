#!/usr/bin/env bash
# Set up a fresh machine for glassgrad: the Graphviz `dot` program (Debian/Ubuntu), a virtual
# environment (scripts/venv.sh: the active one, or .venv in the checkout) and, inside it, the
# package in editable mode with the extras named in $1 (comma-separated, e.g. "dev,compare").
# A second run with nothing changed installs nothing: a stamp in the environment records what was
# installed from which checkout and which pyproject.toml.
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

PY="$(bash scripts/venv.sh)"
export PYTHON="$PY"
# Test-only system packages (a headless browser for the HTML player test), when asked for.
case ",$extras," in
  *,dev,*) [ -f scripts/setup_browser.sh ] && bash scripts/setup_browser.sh ;;
esac

# What was installed, keyed by the checkout and the files that decide what gets installed.
stamp="$(dirname "$(dirname "$PY")")/.glassgrad-setup"
key="$(cat pyproject.toml scripts/setup.sh | cksum | cut -d' ' -f1) $PWD"
if [ "$(head -n 1 "$stamp" 2>/dev/null)" != "$key" ]; then
  echo "$key" >"$stamp"
fi
# One stamp line per extra ("extra=" for the package itself), so `train` after `dev,train` is a no-op.
missing=""
for extra in "" ${extras//,/ }; do
  grep -qxF "extra=$extra" "$stamp" || missing=1
done
if [ -z "$missing" ]; then
  echo "setup: up to date ($PY, extras: ${extras:-none})" >&2
  exit 0
fi

spec="."
[ -z "$extras" ] || spec=".[$extras]"
args=(-e "$spec")
case ",$extras," in
  # The CPU build of torch; an unpinned `torch` would pull a multi-GB CUDA build.
  *,compare,*) args=("torch==2.13.0" "${args[@]}") ;;
esac
echo "setup: installing glassgrad${extras:+ [$extras]} into $(dirname "$(dirname "$PY")")" >&2
"$PY" -m pip install -q "${args[@]}"
for extra in "" ${extras//,/ }; do
  grep -qxF "extra=$extra" "$stamp" || echo "extra=$extra" >>"$stamp"
done
