#!/usr/bin/env bash
# Python 3.9 for the pyspark 3.3 line (Glue 4.0), without root, into the git-ignored .tools/python3.9/.
# Why: pyspark 3.3's bundled cloudpickle fails on Python >= 3.11 (IndexError in _extract_code_globals on the
# first createDataFrame), this machine's Debian (bookworm) has only 3.11, and Glue 4.0's own Python (3.10) is
# in no Debian release apt reaches here. Debian bullseye's python3.9 (3.9.2) is the nearest one that is.
#
# Chain of trust: bullseye's InRelease is checked with gpgv against the Debian archive keyring of this
# machine (/usr/share/keyrings/debian-archive-keyring.gpg); its SHA256 of main/binary-<arch>/Packages.xz is
# checked; each .deb's SHA256 is checked against that Packages index. The .debs are unpacked with
# `dpkg-deb -x` (no maintainer scripts run) into .tools/python3.9/root/.
#
# The libraries bookworm lacks (libssl1.1 for _ssl/_hashlib, libffi7 for _ctypes, libmpdec3 for _decimal) come
# from bullseye too and live in root/usr/lib/<triplet>/, which the dynamic loader does not search: the
# interpreter is reached only through shell wrappers that put that directory on LD_LIBRARY_PATH
# (.tools/python3.9/bin/python3.9, and make_venv's bin/python3.9 inside a venv).
#
# Usage: scripts/setup_python39.sh                  the interpreter (idempotent: skipped when it runs)
#        scripts/setup_python39.sh VENV REQUIREMENTS a venv on it with pip and REQUIREMENTS (idempotent)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="$ROOT/.tools/python3.9"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bullseye
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# python3.9 and what it needs beyond bookworm's base system (found from the Depends lines of the index and
# `ldd` of the interpreter and lib-dynload/*.so: every other library it links is in bookworm with the same
# soname). python3-distutils/lib2to3: Debian splits distutils out of the standard library; setuptools and
# older pips still import it.
PACKAGES=(python3.9 python3.9-minimal libpython3.9-minimal libpython3.9-stdlib python3-distutils
  python3-lib2to3 libssl1.1 libffi7 libmpdec3)
# pip itself, bootstrapped from its wheel on PyPI (Debian's ensurepip lives in python3.9-venv, which
# would pull more of bullseye). 24.x is the pip of 2024, which still supports 3.9.
PIP_VERSION=24.3.1

log() { echo "setup_python39: $*" >&2; }

case "$(uname -m)" in
  x86_64) ARCH=amd64; TRIPLET=x86_64-linux-gnu ;;
  aarch64) ARCH=arm64; TRIPLET=aarch64-linux-gnu ;;
  *) log "no Debian bullseye python3.9 for machine $(uname -m)"; exit 1 ;;
esac
REAL_PYTHON="$TOOLS/root/usr/bin/python3.9"
LIBDIR="$TOOLS/root/usr/lib/$TRIPLET"

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# A shell wrapper that runs the bullseye interpreter with its libraries. With ARGV0=1 it passes its own path
# as argv[0] (bash `exec -a`): Python then takes the wrapper's path as sys.executable and finds the
# pyvenv.cfg next to it, which is what makes it a venv's interpreter.
write_wrapper() { # <path> <keep-argv0: 0|1>
  local exec_line="exec \"$REAL_PYTHON\" \"\$@\""
  [ "$2" = 1 ] && exec_line="exec -a \"\$0\" \"$REAL_PYTHON\" \"\$@\""
  cat > "$1.part" <<EOF
#!/usr/bin/env bash
# Debian bullseye's python3.9 (scripts/setup_python39.sh) with the bullseye libraries bookworm lacks.
export LD_LIBRARY_PATH="$LIBDIR\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
$exec_line
EOF
  chmod +x "$1.part"
  mv "$1.part" "$1"
}

interpreter_works() {
  [ -x "$TOOLS/bin/python3.9" ] \
    && "$TOOLS/bin/python3.9" -c 'import ssl, ctypes, _decimal, sqlite3, distutils.version, sys; assert sys.version_info[:2] == (3, 9)' 2>/dev/null
}

install_interpreter() {
  command -v dpkg-deb >/dev/null || { log "dpkg-deb not found (Debian/Ubuntu's dpkg)"; exit 1; }
  command -v gpgv >/dev/null || { log "gpgv not found: it checks bullseye's InRelease signature"; exit 1; }
  [ -f "$KEYRING" ] || { log "$KEYRING not found (package debian-archive-keyring)"; exit 1; }
  local work="$TOOLS/download"
  rm -rf "$work" "$TOOLS/root" "$TOOLS/bin"
  mkdir -p "$work" "$TOOLS/root" "$TOOLS/bin"
  log "fetching Debian $SUITE's InRelease and Packages index ($ARCH) from $MIRROR"
  curl -fsS --retry 3 -o "$work/InRelease" "$MIRROR/dists/$SUITE/InRelease"
  gpgv --keyring "$KEYRING" --output "$work/Release" "$work/InRelease" 2>"$work/gpgv.log" \
    || { cat "$work/gpgv.log" >&2; log "bad signature on $SUITE's InRelease"; exit 1; }
  local index="main/binary-$ARCH/Packages.xz" expected
  # The SHA256 section is the last one listing the index; its line is " <sha256> <size> <path>".
  expected="$(awk -v p="$index" '/^SHA256:/ { s = 1 } s && $3 == p { print $1 }' "$work/Release" | tail -n 1)"
  [ -n "$expected" ] || { log "$index is not listed in $SUITE's Release"; exit 1; }
  curl -fsS --retry 3 -o "$work/Packages.xz" "$MIRROR/dists/$SUITE/$index"
  [ "$(sha256_of "$work/Packages.xz")" = "$expected" ] \
    || { log "SHA256 mismatch for $index (Release says $expected)"; exit 1; }
  xz -dc "$work/Packages.xz" > "$work/Packages"
  local pkg stanza file sum deb
  for pkg in "${PACKAGES[@]}"; do
    stanza="$(awk -v p="$pkg" 'BEGIN { RS = "" } $0 ~ "(^|\n)Package: " p "\n" { print; exit }' "$work/Packages")"
    file="$(sed -n 's/^Filename: //p' <<<"$stanza")"
    sum="$(sed -n 's/^SHA256: //p' <<<"$stanza")"
    [ -n "$file" ] && [ -n "$sum" ] || { log "package $pkg not found in $SUITE's $index"; exit 1; }
    deb="$work/$(basename "$file")"
    log "fetching $(basename "$file")"
    curl -fsS --retry 3 -o "$deb" "$MIRROR/$file"
    [ "$(sha256_of "$deb")" = "$sum" ] || { log "SHA256 mismatch for $file (index says $sum)"; exit 1; }
    dpkg-deb -x "$deb" "$TOOLS/root"
  done
  write_wrapper "$TOOLS/bin/python3.9" 0
  rm -rf "$work"
  interpreter_works || { log "the unpacked python3.9 does not run (or lacks ssl/ctypes/decimal/sqlite3)"; exit 1; }
  log "$("$TOOLS/bin/python3.9" --version 2>&1) from Debian $SUITE in .tools/python3.9"
}

make_venv() { # <venv> <requirements>
  local venv="$1" requirements="$2" name
  name="$(basename "$venv")"
  if [ ! -f "$venv/pyvenv.cfg" ] || ! "$venv/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 9)' 2>/dev/null; then
    log "creating $name with Python 3.9 (bullseye)"
    rm -rf "$venv"
    "$TOOLS/bin/python3.9" -m venv --without-pip "$venv"
    # venv links bin/python3.9 to the bare interpreter (no LD_LIBRARY_PATH): replace it by a wrapper that
    # keeps the venv's path as argv[0]; bin/python and bin/python3 are links to bin/python3.9.
    rm -f "$venv/bin/python3.9"
    write_wrapper "$venv/bin/python3.9" 1
    "$venv/bin/python" -c 'import sys; assert sys.prefix != sys.base_prefix, "not a venv"'
    local wheels="$venv/.pip-bootstrap"
    mkdir -p "$wheels"
    "$ROOT/.venv/bin/python" -m pip download --disable-pip-version-check --quiet --no-deps \
      --only-binary=:all: --python-version 3.9 --dest "$wheels" "pip==$PIP_VERSION"
    "$venv/bin/python" "$wheels/pip-$PIP_VERSION-py3-none-any.whl/pip" install --disable-pip-version-check \
      --quiet --no-index "$wheels/pip-$PIP_VERSION-py3-none-any.whl"
    rm -rf "$wheels"
  fi
  if ! cmp -s "$requirements" "$venv/.sparkdp-requirements"; then
    log "installing pinned Python packages ($(basename "$requirements")) into $name"
    "$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$requirements"
    cp "$requirements" "$venv/.sparkdp-requirements"
  else
    log "$name is up to date"
  fi
}

if interpreter_works; then
  log "Python 3.9 (bullseye) present in .tools/python3.9"
else
  install_interpreter
fi
if [ $# -eq 2 ]; then
  make_venv "$1" "$2"
fi
