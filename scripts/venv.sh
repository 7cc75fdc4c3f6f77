#!/usr/bin/env bash
# Print the python of the virtual environment glassgrad's Makefile uses, making it if needed:
# the active one if $VIRTUAL_ENV is set, else .venv in the checkout, made with `python3 -m venv`.
# Where the venv module is missing (Debian/Ubuntu without python3-venv) it installs it with
# apt-get. Nothing is ever installed into the system Python, and no pip is upgraded.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE="${GLASSGRAD_BASE_PYTHON:-python3}"

say() { echo "setup: $*" >&2; }

if [ -n "${VIRTUAL_ENV:-}" ]; then
  if [ ! -x "$VIRTUAL_ENV/bin/python" ]; then
    say "VIRTUAL_ENV=$VIRTUAL_ENV has no bin/python; deactivate it or make it again (python3 -m venv)"
    exit 1
  fi
  echo "$VIRTUAL_ENV/bin/python"
  exit 0
fi

venv="$PWD/.venv"
# A .venv whose python or pip does not run (half made, or its base Python is gone) is made again.
if [ -d "$venv" ] && ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
  say "$venv is broken; making it again"
  rm -rf "$venv"
fi
if [ -d "$venv" ]; then
  echo "$venv/bin/python"
  exit 0
fi

install_venv_module() {
  # Debian/Ubuntu ship `venv` without ensurepip; python3-venv (or python3.X-venv) adds it.
  if ! command -v apt-get >/dev/null 2>&1; then
    say "'$BASE -m venv' does not work here; install the venv module for $BASE (or set VIRTUAL_ENV)"
    exit 1
  fi
  local version sudo=""
  version="$("$BASE" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  [ "$(id -u)" = 0 ] || sudo="sudo"
  say "'$BASE -m venv' needs Debian's python3-venv; installing it with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "python${version}-venv" >/dev/null 2>&1 ||
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
}

if ! "$BASE" -m venv "$venv" >/dev/null 2>&1; then
  rm -rf "$venv"  # a failed `venv` leaves a folder without pip behind
  install_venv_module
  "$BASE" -m venv "$venv" >&2
fi
say "made the virtual environment $venv"
echo "$venv/bin/python"
