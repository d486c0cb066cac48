#!/usr/bin/env bash
# Cheap checks of the artefacts in build/dist/ (scripts/package.sh runs this; so does `make test-package`):
#   1. every class of sparkdp_2.12-*.jar has class-file major version 52 (Java 8: Glue 3.0/4.0 run Java 8,
#      and no JDK 8 can be installed here to try it);
#   2. every libsparkdp.so in each jar needs GLIBC_2.17 at most (objdump -T; Glue and EMR images with the
#      oldest glibc), and both linux-x86_64 and linux-aarch64 are there;
#   3. no Spark, Scala or Arrow class is bundled (the cluster provides them; a second copy breaks them);
#   4. the wheel says Requires-Python >=3.7 and carries every jar in sparkdp/jars/; the Glue zip has the
#      package at its root.
# Usage: scripts/check_package.sh [dist-dir]   (default build/dist)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIST="${1:-$ROOT/build/dist}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
MAX_GLIBC=2.17
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

shopt -s nullglob
jars=("$DIST"/sparkdp_2.1[0-9]-*.jar)
wheels=("$DIST"/sparkdp-*-py3-none-any.whl)
zips=("$DIST"/sparkdp_python-*.zip)
for line in 2.12 2.13; do
  line_jars=("$DIST"/sparkdp_"$line"-*.jar)
  [ ${#line_jars[@]} -gt 0 ] || { echo "check_package: no sparkdp_$line-*.jar in $DIST (make package writes both)" >&2; exit 1; }
done

# 1 + 3 + 4: Python reads the zips (no JDK tool needed).
"$PYTHON" - "$DIST" <<'PY'
import glob, os, re, struct, sys, zipfile

dist = sys.argv[1]
failures = []
for jar in sorted(glob.glob(os.path.join(dist, "sparkdp_2.1[0-9]-*.jar"))):
    name = os.path.basename(jar)
    with zipfile.ZipFile(jar) as zf:
        entries = zf.namelist()
        classes = [e for e in entries if e.endswith(".class")]
        if not classes:
            failures.append("{}: no classes".format(name))
        if name.startswith("sparkdp_2.12-"):
            # Bytes 0-3 magic CAFEBABE, 4-5 minor, 6-7 major (52 = Java 8).
            wrong = {}
            for entry in classes:
                head = zf.read(entry)[:8]
                magic, _minor, major = struct.unpack(">IHH", head)
                if magic != 0xCAFEBABE or major != 52:
                    wrong[entry] = major
            if wrong:
                sample = ", ".join("{} (major {})".format(e, m) for e, m in sorted(wrong.items())[:5])
                failures.append("{}: {} of {} classes are not Java 8 (major 52): {}".format(
                    name, len(wrong), len(classes), sample))
            else:
                print("bytecode check: {}: all {} classes are major version 52 (Java 8)".format(
                    name, len(classes)))
        bundled = [e for e in entries if re.match(r"(org/apache/(spark|arrow)|scala)/", e)]
        if bundled:
            failures.append("{}: bundles provided classes, e.g. {}".format(name, bundled[:3]))
        for platform in ("linux-x86_64", "linux-aarch64"):
            if "sparkdp/native/{}/libsparkdp.so".format(platform) not in entries:
                failures.append("{}: lacks sparkdp/native/{}/libsparkdp.so".format(name, platform))
for wheel in sorted(glob.glob(os.path.join(dist, "sparkdp-*-py3-none-any.whl"))):
    version = os.path.basename(wheel).split("-")[1]
    with zipfile.ZipFile(wheel) as zf:
        entries = zf.namelist()
        metadata = zf.read("sparkdp-{}.dist-info/METADATA".format(version)).decode()
    if "Requires-Python: >=3.7" not in metadata:
        failures.append("{}: METADATA lacks Requires-Python: >=3.7".format(os.path.basename(wheel)))
    for jar in sorted(glob.glob(os.path.join(dist, "sparkdp_2.1[0-9]-*.jar"))):
        if "sparkdp/jars/" + os.path.basename(jar) not in entries:
            failures.append("{}: lacks sparkdp/jars/{}".format(os.path.basename(wheel), os.path.basename(jar)))
    print("wheel check: {}: Requires-Python >=3.7, jars {}".format(
        os.path.basename(wheel), sorted(e[len("sparkdp/jars/"):] for e in entries if e.startswith("sparkdp/jars/"))))
for archive in sorted(glob.glob(os.path.join(dist, "sparkdp_python-*.zip"))):
    with zipfile.ZipFile(archive) as zf:
        if "sparkdp/__init__.py" not in zf.namelist():
            failures.append("{}: no sparkdp/__init__.py at its root".format(os.path.basename(archive)))
if failures:
    sys.exit("package check FAILED:\n  " + "\n  ".join(failures))
PY
[ ${#wheels[@]} -gt 0 ] || { echo "check_package: no sparkdp-*-py3-none-any.whl in $DIST" >&2; exit 1; }
[ ${#zips[@]} -gt 0 ] || { echo "check_package: no sparkdp_python-*.zip in $DIST" >&2; exit 1; }

# 2: the libraries as the jar carries them (not build/native/, which a later build may have replaced).
dynamic_symbols() { objdump -T "$1" 2>/dev/null || readelf --dyn-syms --wide "$1"; }
for jar in "${jars[@]}"; do
  for platform in linux-x86_64 linux-aarch64; do
    lib="$WORK/$(basename "$jar").$platform.so"
    unzip -p "$jar" "sparkdp/native/$platform/libsparkdp.so" > "$lib"
    newest="$(dynamic_symbols "$lib" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -u -V | tail -n1 || true)"
    [ -n "$newest" ] || { echo "glibc check: no GLIBC symbol versions in $platform library of $jar" >&2; exit 1; }
    if [ "$(printf '%s\n%s\n' "$newest" "$MAX_GLIBC" | sort -V | tail -n1)" != "$MAX_GLIBC" ]; then
      echo "glibc check FAILED: $(basename "$jar") $platform library needs GLIBC_$newest > $MAX_GLIBC" >&2
      exit 1
    fi
    echo "glibc check: $(basename "$jar") $platform library needs at most GLIBC_$newest (<= $MAX_GLIBC)"
  done
done
