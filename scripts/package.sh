#!/usr/bin/env bash
# `make package`: the release artefacts in build/dist/, from build/sparkdp.jar (`make jar`):
#   sparkdp_2.12-<version>.jar           Spark 3.1-3.5: Java 8 bytecode, libsparkdp.so for linux x86_64 +
#                                        aarch64; Spark, Scala and Arrow provided (not bundled)
#   sparkdp_2.13-<version>.jar           Spark 4.x: Scala 2.13, Java 17 bytecode, the same native libraries
#                                        (build/sparkdp_2.13.jar, which `make jar` builds with the 2.12 one)
#   sparkdp-<version>-py3-none-any.whl   the Python package with the jar(s) in sparkdp/jars/
#   sparkdp_python-<version>.zip         the Python package alone, for Glue's --extra-py-files
# Then scripts/check_package.sh checks them (bytecode, glibc, wheel contents). No sbt runs here: both jars
# come from `make jar`, so packaging after `make test` costs seconds.
# Usage: scripts/package.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PYTHON="$ROOT/.venv/bin/python"
DIST="$ROOT/build/dist"
start=$(date +%s)

# One version everywhere: the crate's (the jar's BuildInfo.Version, checked by the loader), the wheel's
# and the one sparkdp.pip_utils uses to name the jar it looks for.
VERSION="$(sed -n 's/^version *= *"\([^"]*\)" *$/\1/p' native/Cargo.toml | head -n1)"
PY_VERSION="$(sed -n 's/^version *= *"\([^"]*\)" *$/\1/p' python/pyproject.toml | head -n1)"
PIP_UTILS_VERSION="$(sed -n 's/^VERSION = "\([^"]*\)"$/\1/p' python/sparkdp/pip_utils.py)"
if [ "$VERSION" != "$PY_VERSION" ] || [ "$VERSION" != "$PIP_UTILS_VERSION" ]; then
  echo "version mismatch: native/Cargo.toml $VERSION, python/pyproject.toml $PY_VERSION," \
       "python/sparkdp/pip_utils.py VERSION $PIP_UTILS_VERSION: make them equal" >&2
  exit 1
fi

rm -rf "$DIST" build/wheel-src
mkdir -p "$DIST"

for jar in build/sparkdp.jar build/sparkdp_2.13.jar; do
  [ -f "$jar" ] || { echo "$jar missing: run \`make jar\` first (it builds both Scala lines)" >&2; exit 1; }
done
cp build/sparkdp.jar "$DIST/sparkdp_2.12-$VERSION.jar"
cp build/sparkdp_2.13.jar "$DIST/sparkdp_2.13-$VERSION.jar"

# The wheel is built from a staging copy of python/ so that the jars never land in the source tree.
mkdir -p build/wheel-src
cp python/pyproject.toml build/wheel-src/
cp -r python/sparkdp build/wheel-src/sparkdp
find build/wheel-src -name __pycache__ -prune -exec rm -rf {} +
mkdir -p build/wheel-src/sparkdp/jars
cp "$DIST"/sparkdp_2.1?-"$VERSION".jar build/wheel-src/sparkdp/jars/
"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$DIST" build/wheel-src
[ -f "$DIST/sparkdp-$VERSION-py3-none-any.whl" ] || { echo "pip wheel did not write sparkdp-$VERSION-py3-none-any.whl" >&2; exit 1; }

# Glue's --extra-py-files: a zip with the package folder at its root (the jar goes in --extra-jars).
(cd python && "$PYTHON" - "$DIST/sparkdp_python-$VERSION.zip" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as zf:
    for folder, dirs, files in os.walk("sparkdp"):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                zf.write(os.path.join(folder, name))
PY
)
rm -rf build/wheel-src

"$ROOT/scripts/check_package.sh" "$DIST"
echo "== package: build/dist/ written in $(( $(date +%s) - start ))s:"
ls -l "$DIST"
