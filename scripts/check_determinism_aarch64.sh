#!/usr/bin/env bash
# Both platforms draw identical noise: the sampler digests of native/determinism (fixed keyed streams ->
# samples -> FNV-1a digest per sampler) must be the same on x86_64 (native) and aarch64 (qemu-user).
# The binary is built with cargo-zigbuild for the same targets and profile as scripts/build_native.sh, so
# after `make native` only the small determinism crate and the link are new work.
# Needs qemu-aarch64 (Debian: apt-get install qemu-user) and an aarch64 glibc for it (apt-get install
# libc6-arm64-cross, at /usr/aarch64-linux-gnu); as root with apt-get this script installs both.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/.venv/bin:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SYSROOT=/usr/aarch64-linux-gnu
start=$(date +%s)

if ! command -v qemu-aarch64 >/dev/null || [ ! -e "$SYSROOT/lib/ld-linux-aarch64.so.1" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== determinism: installing qemu-user and libc6-arm64-cross"
    apt-get install -y -qq qemu-user libc6-arm64-cross >/dev/null
  else
    echo "qemu-aarch64 or $SYSROOT missing: apt-get install qemu-user libc6-arm64-cross" >&2
    exit 1
  fi
fi

cargo zigbuild --release --locked -p sparkdp-determinism \
  --target x86_64-unknown-linux-gnu.2.17 --target aarch64-unknown-linux-gnu.2.17
x86="$TARGET_DIR/x86_64-unknown-linux-gnu/release/sparkdp-determinism"
arm="$TARGET_DIR/aarch64-unknown-linux-gnu/release/sparkdp-determinism"
file_arch="$(readelf -h "$arm" | sed -n 's/^ *Machine: *//p')"
case "$file_arch" in *AArch64*) ;; *) echo "$arm is not an aarch64 binary ($file_arch)" >&2; exit 1 ;; esac

"$x86" > "$TARGET_DIR/determinism-x86_64.txt"
qemu-aarch64 -L "$SYSROOT" "$arm" > "$TARGET_DIR/determinism-aarch64.txt"
echo "== determinism digests (x86_64 | aarch64 under qemu-user):"
paste -d'|' "$TARGET_DIR/determinism-x86_64.txt" "$TARGET_DIR/determinism-aarch64.txt" | sed 's/^/  /'
[ -s "$TARGET_DIR/determinism-x86_64.txt" ] || { echo "no digests printed" >&2; exit 1; }
if ! diff -u "$TARGET_DIR/determinism-x86_64.txt" "$TARGET_DIR/determinism-aarch64.txt"; then
  echo "determinism check FAILED: aarch64 draws other samples than x86_64 from the same keyed streams" >&2
  exit 1
fi
echo "== determinism: $(wc -l < "$TARGET_DIR/determinism-x86_64.txt") sampler digests equal on x86_64 and aarch64 ($(( $(date +%s) - start ))s)"
