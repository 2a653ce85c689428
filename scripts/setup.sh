#!/usr/bin/env bash
# Everything the tests need on a fresh Debian/Ubuntu machine: the system packages behind
# the real parts the tests use, then the npm packages. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every program a test starts comes from one of these (test/helpers/programs.ts names them, and
# test/unit/setup-script.test.ts checks that this list holds each one's package):
# gnome-keyring + dbus + libsecret-tools: a real Secret Service on a private session bus
# (dbus-bin: dbus-monitor, which records the bus to show no token value crosses it in the clear);
# chromium: the OAuth login page in a real browser; openssl: test certificates;
# age: opening exported bundles with the reference tool; libnss-wrapper: a spawned CLI sees its test
# sandbox as the account's home in the user database (test/helpers/cli.ts), never the real one;
# bash, zsh, fish: shell completion in each shell; man-db: the man page as man shows it;
# bsdutils (script) and tmux: real terminals.
APT_PACKAGES=(gnome-keyring libsecret-tools dbus dbus-bin dbus-x11 chromium openssl age libnss-wrapper bash zsh fish man-db bsdutils tmux)

missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo); else
    echo "missing Debian packages: ${missing[*]} (run as root, or install them with apt-get)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

npm ci --no-audit --no-fund

# A newer Node.js beside the machine's own, for behaviour that differs between versions
# (test/helpers/node-versions.ts): Node's own options read from a script's arguments.
node scripts/node-binary.mjs 24 >/dev/null
