#!/usr/bin/env bash
# Test-only: a headless Chromium and Selenium for the HTML player test (tests/viz/test_player_browser.py).
# Selenium is pointed at /usr/bin/chromedriver, so Selenium Manager never downloads a browser or driver.
set -euo pipefail
PY="${PYTHON:-python3}"

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "setup_browser: install Chromium and chromedriver to run the browser test (it is skipped otherwise)" >&2
  fi
fi

if ! $PY -c "import selenium" >/dev/null 2>&1; then
  $PY -m pip install -q "selenium>=4.11"
fi
