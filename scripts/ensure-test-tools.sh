#!/usr/bin/env bash
# Makes sure the tools the integration tests use are on this machine: Java 17 and Maven (for the
# real Kafka broker) and Debian's kcat (a peer client). Installs kcat with apt when run as root.
set -euo pipefail
missing=()
command -v java >/dev/null || missing+=("java (OpenJDK 17)")
command -v mvn >/dev/null || missing+=("mvn (Maven)")
if ! command -v kcat >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing kcat (Debian package) for the Kafka integration tests…" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat) >/dev/null
  else
    missing+=("kcat (sudo apt-get install kcat)")
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "The tests need: ${missing[*]}" >&2
  exit 1
fi
