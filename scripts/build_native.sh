#!/usr/bin/env bash
# Builds the native library (crate native/, lib name `sparkdp`) for every platform the jar supports,
# linked against glibc 2.17 (cargo-zigbuild's "<target>.2.17" suffix), checks that no newer glibc
# symbol version crept in, and stages the results for the jar:
#   build/native/linux-x86_64/libsparkdp.so    -> jar /sparkdp/native/linux-x86_64/libsparkdp.so
#   build/native/linux-aarch64/libsparkdp.so   -> jar /sparkdp/native/linux-aarch64/libsparkdp.so
# Usage: scripts/build_native.sh [platform...]   (default: linux-x86_64 linux-aarch64)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

MAX_GLIBC=2.17
# cargo-zigbuild runs `python -m ziglang`: use the venv's (scripts/setup.sh installs both).
export PATH="$ROOT/.venv/bin:$PATH"
command -v cargo-zigbuild >/dev/null || { echo "cargo-zigbuild missing: run scripts/setup.sh" >&2; exit 1; }
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

rust_target() {
  case "$1" in
    linux-x86_64) echo x86_64-unknown-linux-gnu ;;
    linux-aarch64) echo aarch64-unknown-linux-gnu ;;
    *) echo "unknown platform $1 (known: linux-x86_64 linux-aarch64)" >&2; return 1 ;;
  esac
}

# Fails if the library needs a glibc symbol version newer than MAX_GLIBC. objdump -T lists the
# dynamic symbols with their version (e.g. "GLIBC_2.14"); readelf is the fallback when this host's
# objdump cannot read the other architecture.
dynamic_symbols() { objdump -T "$1" 2>/dev/null || readelf --dyn-syms --wide "$1"; }

check_glibc() {
  local lib="$1" newest
  newest="$(dynamic_symbols "$lib" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -u -V | tail -n1 || true)"
  [ -n "$newest" ] || { echo "glibc check: no GLIBC symbol versions found in $lib (not a glibc-linked library?)" >&2; return 1; }
  if [ "$(printf '%s\n%s\n' "$newest" "$MAX_GLIBC" | sort -V | tail -n1)" != "$MAX_GLIBC" ]; then
    echo "glibc check FAILED: $lib needs GLIBC_$newest > $MAX_GLIBC. Symbols needing more than $MAX_GLIBC:" >&2
    dynamic_symbols "$lib" | awk -v max="$MAX_GLIBC" '
      match($0, /GLIBC_[0-9][0-9.]*/) {
        split(substr($0, RSTART + 6, RLENGTH - 6), v, "."); split(max, m, ".")
        if (v[1] + 0 > m[1] + 0 || (v[1] + 0 == m[1] + 0 && v[2] + 0 > m[2] + 0)) print "  " $0
      }' >&2
    return 1
  fi
  echo "glibc check: $lib needs at most GLIBC_$newest (<= $MAX_GLIBC)"
}

# Lists the JNI entry points the Scala bridge declares but the library does not export. Only a warning:
# the JNI functions arrive with the kernels branch; NativeBridgeSuite is the test that insists.
check_jni_symbols() {
  local lib="$1" missing=()
  local exported
  exported="$(dynamic_symbols "$lib" | grep -o 'Java_sparkdp_bridge_Native_[A-Za-z0-9_]*' | sort -u || true)"
  for name in libraryVersion newSessionSecret deriveKey exactFromDouble budgetSubtract budgetCovers \
              numberToDouble countNoise countByKey addNoise panicForTest \
              planMeasurement budgetFromDoubles budgetCharge budgetToDoubles \
              truncationOpen truncationOffer truncationFinish truncationClose \
              truncationOpenPartial releaseOpen releaseOffer releaseFinish releaseClose; do
    grep -qx "Java_sparkdp_bridge_Native_$name" <<<"$exported" || missing+=("$name")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "WARNING: $lib lacks JNI functions: ${missing[*]}" >&2
  fi
}

PLATFORMS=("$@")
[ ${#PLATFORMS[@]} -gt 0 ] || PLATFORMS=(linux-x86_64 linux-aarch64)
TARGET_ARGS=()
for platform in "${PLATFORMS[@]}"; do TARGET_ARGS+=(--target "$(rust_target "$platform").$MAX_GLIBC"); done

# One cargo invocation for all targets: build scripts and proc-macros (host code) compile once.
echo "== native: ${PLATFORMS[*]} (glibc $MAX_GLIBC)"
start=$(date +%s)
cargo zigbuild --release --locked -p sparkdp-native --lib "${TARGET_ARGS[@]}"
echo "== native: cargo zigbuild took $(( $(date +%s) - start ))s"

for platform in "${PLATFORMS[@]}"; do
  built="$TARGET_DIR/$(rust_target "$platform")/release/libsparkdp.so"
  [ -f "$built" ] || { echo "cargo-zigbuild did not produce $built" >&2; exit 1; }
  check_glibc "$built"
  check_jni_symbols "$built"
  mkdir -p "build/native/$platform"
  cp "$built" "build/native/$platform/libsparkdp.so"
  echo "== native: $platform staged at build/native/$platform/libsparkdp.so"
done
