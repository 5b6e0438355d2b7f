#!/usr/bin/env bash
# Makes sure the tools the tests use are on this machine: Java 17 and Maven (for the real Kafka
# broker), Debian's kcat (a peer client) and tmux (the real terminal of the end-to-end tests).
# Installs kcat and tmux with apt when run as root.
set -euo pipefail
missing=()
command -v java >/dev/null || missing+=("java (OpenJDK 17)")
command -v mvn >/dev/null || missing+=("mvn (Maven)")
packages=()
for tool in kcat tmux; do command -v "$tool" >/dev/null || packages+=("$tool"); done
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${packages[*]} (Debian packages) for the tests…" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}") >/dev/null
  else
    missing+=("${packages[*]} (sudo apt-get install ${packages[*]})")
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "The tests need: ${missing[*]}" >&2
  exit 1
fi
