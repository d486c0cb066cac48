"""Finding the sparkdp jar that matches the running Spark, for pip installs.

The wheel carries the jars in ``sparkdp/jars/``: ``sparkdp_2.12-<version>.jar``
(Spark 3.1 to 3.5) and, when built, ``sparkdp_2.13-<version>.jar`` (Spark 4).
A Spark application must still be told to load one: JVM classes do not come
with ``pip install``. :func:`configure_spark_with_sparkdp` does that for a
SparkSession builder, as delta-spark's ``configure_spark_with_delta_pip`` does
for Delta::

    from pyspark.sql import SparkSession
    from sparkdp import configure_spark_with_sparkdp

    spark = configure_spark_with_sparkdp(SparkSession.builder.master("local[2]")).getOrCreate()

When the JVM is already running without the jar (AWS Glue, a notebook's
existing session), the jar must be given to Spark when it starts instead:
``--jars`` (spark-submit, EMR), ``--extra-jars`` (Glue) or ``spark.jars``;
:func:`missing_jar_message` says which file to give.

This module imports no pyspark at import time, so ``import sparkdp`` stays
cheap and this works before Spark is set up.
"""

import glob
import os
import re
from typing import Any, List, Optional

__all__ = [
    "bundled_jar",
    "configure_spark_with_sparkdp",
    "jar_file_name",
    "missing_jar_message",
    "pyspark_scala_line",
]

# The package version; the wheel's jars carry the same one (scripts/package.sh
# checks that python/pyproject.toml and native/Cargo.toml agree).
VERSION = "0.1.0"

# Where the wheel puts the jars, inside the installed package.
JARS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jars")

_SCALA_LIBRARY_JAR = re.compile(r"scala-library-(2\.1[0-9])\.[0-9]+\.jar$")


def jar_file_name(scala_line: str) -> str:
    """The sparkdp jar's file name for a Scala line.

    Args:
        scala_line: ``"2.12"`` or ``"2.13"``.

    Returns:
        e.g. ``"sparkdp_2.12-0.1.0.jar"``.
    """
    return "sparkdp_{}-{}.jar".format(scala_line, VERSION)


def _spark_home() -> Optional[str]:
    """The Spark installation pyspark starts: $SPARK_HOME, else pyspark's own."""
    if os.environ.get("SPARK_HOME"):
        return os.environ["SPARK_HOME"]
    try:
        import pyspark  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    return os.path.dirname(os.path.abspath(pyspark.__file__))


def pyspark_scala_line() -> str:
    """The Scala line (``"2.12"`` or ``"2.13"``) of the Spark that pyspark starts.

    Read from the ``scala-library-2.1x.y.jar`` in the Spark installation's
    ``jars/`` folder; without one, from pyspark's version (PyPI's pyspark is
    built for Scala 2.12 up to 3.5 and for 2.13 from 4.0).

    Returns:
        ``"2.12"`` or ``"2.13"``.

    Raises:
        RuntimeError: neither a Spark installation nor pyspark is found.
    """
    home = _spark_home()
    if home is not None:
        for path in sorted(glob.glob(os.path.join(home, "jars", "scala-library-*.jar"))):
            match = _SCALA_LIBRARY_JAR.search(os.path.basename(path))
            if match:
                return match.group(1)
    try:
        import pyspark  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise RuntimeError(
            "sparkdp cannot tell which jar to use: pyspark is not installed and "
            "SPARK_HOME is not set."
        ) from None
    major = int(pyspark.__version__.split(".")[0])
    return "2.13" if major >= 4 else "2.12"


def bundled_jar(scala_line: str) -> Optional[str]:
    """The path of the jar for ``scala_line`` inside the installed package, if it has one.

    Args:
        scala_line: ``"2.12"`` or ``"2.13"``.

    Returns:
        The jar's absolute path, or None (e.g. sparkdp imported from a source
        checkout, or a wheel built without the 2.13 jar).
    """
    path = os.path.join(JARS_DIR, jar_file_name(scala_line))
    return path if os.path.isfile(path) else None


def _available_jars() -> List[str]:
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(JARS_DIR, "sparkdp_*.jar")))


def configure_spark_with_sparkdp(builder: Any) -> Any:
    """Adds the sparkdp jar that matches pyspark's Scala line to ``spark.jars``.

    Call it on a builder before ``getOrCreate()``; the jars already in the
    builder's ``spark.jars`` are kept. It has no effect on a JVM that is
    already running (use ``--jars`` / ``--extra-jars`` there).

    Args:
        builder: A ``SparkSession.Builder``.

    Returns:
        The same builder, for chaining.

    Raises:
        RuntimeError: this installation has no jar for the running Spark's
            Scala line (the message names the file needed and where to get it).

    Example:
        >>> from pyspark.sql import SparkSession  # doctest: +SKIP
        >>> spark = configure_spark_with_sparkdp(SparkSession.builder).getOrCreate()  # doctest: +SKIP
    """
    scala_line = pyspark_scala_line()
    jar = bundled_jar(scala_line)
    if jar is None:
        raise RuntimeError(
            "This sparkdp installation has no jar for Scala {line} (the Spark that "
            "pyspark starts is built for Scala {line}): {name} is not in {folder} "
            "(found: {found}). Install the sparkdp wheel built by `make package`, "
            "or pass the jar yourself with spark.jars / --jars.".format(
                line=scala_line,
                name=jar_file_name(scala_line),
                folder=JARS_DIR,
                found=", ".join(_available_jars()) or "none",
            )
        )
    # Builder keeps its settings in the private dict _options (read the same
    # way by delta-spark's configure_spark_with_delta_pip).
    options = getattr(builder, "_options", {})
    existing = [j for j in str(options.get("spark.jars", "")).split(",") if j.strip()]
    if jar not in existing:
        existing.append(jar)
    return builder.config("spark.jars", ",".join(existing))


def missing_jar_message(class_name: str, scala_line: Optional[str] = None) -> str:
    """The error text for a JVM without the sparkdp classes.

    Names the class looked up, the jar file that matches the JVM's Scala line
    (its path when this installation carries it) and the ways to give it to
    Spark: ``configure_spark_with_sparkdp``, ``spark.jars`` / ``--jars``, and
    Glue's ``--extra-jars``.

    Args:
        class_name: The simple name looked up in package ``sparkdp``.
        scala_line: The JVM's Scala line, e.g. ``"2.12"``; None if unknown
            (then pyspark's is used).

    Returns:
        The message.
    """
    if scala_line is None:
        try:
            scala_line = pyspark_scala_line()
        except RuntimeError:
            scala_line = "2.12"
    name = jar_file_name(scala_line)
    jar = bundled_jar(scala_line) or name
    return (
        "Class sparkdp.{cls} is not on the Spark JVM's class path: Spark was "
        "started without the sparkdp jar. Give Spark the jar {jar} when it "
        "starts: spark-submit/EMR --jars {jar} (or --conf spark.jars={jar}); "
        "AWS Glue job parameter --extra-jars s3://<bucket>/<prefix>/{name}; "
        "or, in a Python program that starts Spark itself, "
        "sparkdp.configure_spark_with_sparkdp(SparkSession.builder).getOrCreate(). "
        "A SparkSession that is already running cannot load it: stop it first. "
        "(A source checkout builds the jar with `make package`, into build/dist/.)".format(
            cls=class_name, jar=jar, name=name
        )
    )
