#!/usr/bin/env bash
# The two ways users install sparkdp, run for real on the artefacts in build/dist/ (scripts/package.sh):
#   1. spark-submit --master local[2] --jars <2.12 jar> --py-files <zip> examples/glue_seed_job.py
#      (the EMR way; Glue's --extra-jars / --extra-py-files do the same), with the repo's pyspark 3.5.3;
#   2. the wheel in a fresh venv (pyspark from pip's cache / PyPI), the seed query with no --jars: the
#      jar comes from the wheel through sparkdp.configure_spark_with_sparkdp; and without that call the
#      first sparkdp call fails naming --jars / --extra-jars / spark.jars and the jar file;
#   3. the loader on a real noexec mount: a tmpfs mounted noexec inside a user+mount namespace
#      (`unshare -rm`, no root needed; skipped with a note where the kernel forbids it) is set as
#      spark.sparkdp.native.tmpdir; the library must load from the fallback directory instead.
# Usage: scripts/check_install.sh [submit] [wheel] [noexec]   (default: all three)
#   JAVA_HOME: a JDK >= 17 for pyspark 3.5; default .tools/java17-home
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
DIST="$ROOT/build/dist"
export JAVA_HOME="${JAVA_HOME:-$(cat "$ROOT/.tools/java17-home")}"
PYSPARK_VERSION=3.5.3
VERSION="$(sed -n 's/^version *= *"\([^"]*\)" *$/\1/p' native/Cargo.toml | head -n1)"
JAR="$DIST/sparkdp_2.12-$VERSION.jar"
ZIP="$DIST/sparkdp_python-$VERSION.zip"
WHEEL="$DIST/sparkdp-$VERSION-py3-none-any.whl"
for f in "$JAR" "$ZIP" "$WHEEL"; do
  [ -f "$f" ] || { echo "$f missing: run \`make package\` first" >&2; exit 1; }
done
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
CHECKS=" ${*:-submit wheel noexec} "
SPARK_CONF=(--conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false
            --conf spark.sql.shuffle.partitions=4 --conf "spark.driver.extraJavaOptions=-Dderby.system.home=$WORK/derby")

if [[ "$CHECKS" == *" submit "* ]]; then
echo "== install check 1: spark-submit --jars --py-files examples/glue_seed_job.py"
start=$(date +%s)
# From an empty directory, so that only --py-files can supply the sparkdp package.
(cd "$WORK" && PYSPARK_PYTHON="$ROOT/.venv/bin/python" "$ROOT/.venv/bin/spark-submit" --master 'local[2]' \
   --jars "$JAR" --py-files "$ZIP" "${SPARK_CONF[@]}" \
   --conf "spark.sql.warehouse.dir=$WORK/warehouse-submit" \
   "$ROOT/examples/glue_seed_job.py" --checkouts "$ROOT/data/checkouts.csv" --books "$ROOT/data/books.csv" \
   2> "$WORK/submit.err") | tee "$WORK/submit.out"
grep -q "DP checkouts per book (300 books)" "$WORK/submit.out" \
  || { echo "spark-submit did not print the seed query's 300 rows; stderr:" >&2; tail -n 40 "$WORK/submit.err" >&2; exit 1; }
echo "== install check 1 passed in $(( $(date +%s) - start ))s"
fi

if [[ "$CHECKS" == *" wheel "* ]]; then
echo "== install check 2: the wheel in a fresh venv, no --jars"
start=$(date +%s)
"$ROOT/.venv/bin/python" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check "$WHEEL" "pyspark==$PYSPARK_VERSION"
cat > "$WORK/wheel_seed_query.py" <<'PY'
import sys
from pyspark.sql import SparkSession
import sparkdp
from sparkdp import (AddRowsWithID, KeySet, MaxRowsPerID, PureDPBudget, QueryBuilder, Session,
                     configure_spark_with_sparkdp)

repo, warehouse, with_jar = sys.argv[1], sys.argv[2], sys.argv[3] == "with-jar"
assert "site-packages" in sparkdp.__file__, sparkdp.__file__
builder = (SparkSession.builder.master("local[2]").config("spark.sql.warehouse.dir", warehouse)
           .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false"))
spark = (configure_spark_with_sparkdp(builder) if with_jar else builder).getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
checkouts = spark.read.csv(repo + "/data/checkouts.csv", header=True, inferSchema=True)
books = spark.read.csv(repo + "/data/books.csv", header=True, inferSchema=True)
budget = PureDPBudget(2)
try:
    session = Session.from_dataframe(budget, "checkouts", checkouts,
                                     protected_change=AddRowsWithID("member_id"))
except RuntimeError as e:
    print("ERROR: {}".format(e))
    sys.exit(3)
keyset = KeySet.from_dataframe(books.select("title", "author", "isbn"))
output = session.evaluate(
    QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupby(keyset).count(), budget)
print("wheel seed query: {} books, jar {}".format(output.count(), spark.conf.get("spark.jars")))
session.stop()
spark.stop()
PY
(cd "$WORK" && "$WORK/venv/bin/python" wheel_seed_query.py "$ROOT" "$WORK/warehouse-wheel" with-jar \
   2> "$WORK/wheel.err") | tee "$WORK/wheel.out"
grep -q "wheel seed query: 300 books, jar .*site-packages/sparkdp/jars/sparkdp_2.12-$VERSION.jar" "$WORK/wheel.out" \
  || { echo "the wheel's seed query failed; stderr:" >&2; tail -n 40 "$WORK/wheel.err" >&2; exit 1; }
# Without configure_spark_with_sparkdp the JVM has no sparkdp classes: the first call must say what to do.
set +e
(cd "$WORK" && "$WORK/venv/bin/python" wheel_seed_query.py "$ROOT" "$WORK/warehouse-nojar" no-jar \
   2> "$WORK/nojar.err") > "$WORK/nojar.out"
rc=$?
set -e
cat "$WORK/nojar.out"
for part in "--jars" "--extra-jars" "spark.jars" "configure_spark_with_sparkdp" \
            "site-packages/sparkdp/jars/sparkdp_2.12-$VERSION.jar"; do
  grep -qF -- "$part" "$WORK/nojar.out" \
    || { echo "without the jar: exit $rc, and the error does not name '$part'" >&2; tail -n 20 "$WORK/nojar.err" >&2; exit 1; }
done
[ "$rc" = 3 ] || { echo "without the jar the script should stop with the RuntimeError (exit 3), got $rc" >&2; exit 1; }
echo "== install check 2 passed in $(( $(date +%s) - start ))s"
fi

if [[ "$CHECKS" == *" noexec "* ]]; then
echo "== install check 3: native library extraction directory mounted noexec"
start=$(date +%s)
if ! unshare --user --map-root-user --mount true 2>/dev/null; then
  echo "== install check 3 SKIPPED: this kernel does not allow unprivileged user+mount namespaces" \
       "(NativeLoaderSuite simulates the noexec failure instead)"
else
mkdir -p "$WORK/noexec"
cat > "$WORK/noexec_load.py" <<'PY'
import os, shutil, subprocess, sys
from pyspark.sql import SparkSession

jar, noexec, warehouse = sys.argv[1:4]
# The mount really is noexec: a copy of /bin/true cannot be run from it.
shutil.copy("/bin/true", os.path.join(noexec, "true"))
try:
    subprocess.check_call([os.path.join(noexec, "true")])
    sys.exit("{} is not mounted noexec".format(noexec))
except PermissionError:
    pass
spark = (SparkSession.builder.master("local[1]").config("spark.jars", jar)
         .config("spark.sparkdp.native.tmpdir", noexec).config("spark.sql.warehouse.dir", warehouse)
         .config("spark.ui.enabled", "false").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
loader = spark.sparkContext._jvm.sparkdp.bridge.NativeLoader
print("loaded from: {}".format(loader.loadedFrom()))
spark.stop()
PY
unshare --user --map-root-user --mount sh -c \
  'mount -t tmpfs -o noexec,size=64m tmpfs "$1" && shift && exec "$@"' sh "$WORK/noexec" \
  "$ROOT/.venv/bin/python" "$WORK/noexec_load.py" "$JAR" "$WORK/noexec" "$WORK/warehouse-noexec" \
  2> "$WORK/noexec.err" | tee "$WORK/noexec.out"
grep -q "loaded from: jar resource /sparkdp/native/linux-x86_64/libsparkdp.so (extracted to " "$WORK/noexec.out" \
  || { echo "the library did not load with a noexec extraction directory; stderr:" >&2; tail -n 30 "$WORK/noexec.err" >&2; exit 1; }
if grep -q "extracted to $WORK/noexec/" "$WORK/noexec.out"; then
  echo "the library claims to be loaded from the noexec directory" >&2; exit 1
fi
echo "== install check 3 passed in $(( $(date +%s) - start ))s"
fi
fi
