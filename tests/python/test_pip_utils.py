"""Finding the jar for pip users (sparkdp.pip_utils) and the error for a JVM without it.

No JVM: Spark installations, builders and JVM views are stand-ins. The real
thing (the wheel in a fresh venv, with and without the jar) is
scripts/check_install.sh, run by ``make test-package``.
"""

import re
import types

import pytest

import sparkdp
from sparkdp import _java, pip_utils

from conftest import REPO_ROOT


class FakeBuilder:
    """The part of SparkSession.Builder that configure_spark_with_sparkdp uses."""

    def __init__(self, **options):
        self._options = dict(options)

    def config(self, key, value):
        self._options[key] = value
        return self


@pytest.fixture
def jars_dir(tmp_path, monkeypatch):
    """An installed package's jars/ folder holding the 2.12 jar only."""
    folder = tmp_path / "jars"
    folder.mkdir()
    (folder / pip_utils.jar_file_name("2.12")).write_bytes(b"PK")
    monkeypatch.setattr(pip_utils, "JARS_DIR", str(folder))
    return folder


def spark_home_with(tmp_path, monkeypatch, scala_library):
    home = tmp_path / "spark"
    (home / "jars").mkdir(parents=True)
    if scala_library:
        (home / "jars" / scala_library).write_bytes(b"PK")
    monkeypatch.setenv("SPARK_HOME", str(home))


def test_one_version_in_cargo_pyproject_and_package():
    cargo = (REPO_ROOT / "native" / "Cargo.toml").read_text()
    pyproject = (REPO_ROOT / "python" / "pyproject.toml").read_text()
    version_line = re.compile(r'^version\s*=\s*"([^"]+)"\s*$', re.M)
    assert version_line.search(cargo).group(1) == pip_utils.VERSION
    assert version_line.search(pyproject).group(1) == pip_utils.VERSION
    assert sparkdp.__version__ == pip_utils.VERSION
    assert pip_utils.jar_file_name("2.13") == "sparkdp_2.13-{}.jar".format(pip_utils.VERSION)


@pytest.mark.parametrize("library, line", [
    ("scala-library-2.12.18.jar", "2.12"),
    ("scala-library-2.13.14.jar", "2.13"),
])
def test_scala_line_comes_from_the_spark_installation(tmp_path, monkeypatch, library, line):
    spark_home_with(tmp_path, monkeypatch, library)
    assert pip_utils.pyspark_scala_line() == line


def test_scala_line_falls_back_to_pyspark_version(tmp_path, monkeypatch):
    spark_home_with(tmp_path, monkeypatch, None)
    import pyspark  # pylint: disable=import-outside-toplevel
    monkeypatch.setattr(pyspark, "__version__", "4.0.1")
    assert pip_utils.pyspark_scala_line() == "2.13"
    monkeypatch.setattr(pyspark, "__version__", "3.3.4")
    assert pip_utils.pyspark_scala_line() == "2.12"


def test_the_installed_pyspark_has_its_scala_line(monkeypatch):
    """PyPI's pyspark 3.x is built for Scala 2.12, 4.x for 2.13 (make test runs 3.3, 3.5 and 4.1)."""
    import pyspark  # pylint: disable=import-outside-toplevel

    monkeypatch.delenv("SPARK_HOME", raising=False)
    expected = {"3": "2.12", "4": "2.13"}[pyspark.__version__.split(".")[0]]
    assert pip_utils.pyspark_scala_line() == expected


def test_configure_adds_the_matching_jar_and_keeps_other_jars(tmp_path, monkeypatch, jars_dir):
    spark_home_with(tmp_path, monkeypatch, "scala-library-2.12.15.jar")
    jar = str(jars_dir / pip_utils.jar_file_name("2.12"))
    builder = FakeBuilder(**{"spark.jars": "/opt/other.jar"})
    assert sparkdp.configure_spark_with_sparkdp(builder) is builder
    assert builder._options["spark.jars"] == "/opt/other.jar," + jar
    sparkdp.configure_spark_with_sparkdp(builder)  # twice: the jar is not added again
    assert builder._options["spark.jars"] == "/opt/other.jar," + jar
    assert sparkdp.configure_spark_with_sparkdp(FakeBuilder())._options["spark.jars"] == jar


def test_configure_without_a_jar_for_the_scala_line_names_file_and_folder(tmp_path, monkeypatch,
                                                                         jars_dir):
    spark_home_with(tmp_path, monkeypatch, "scala-library-2.13.14.jar")
    with pytest.raises(RuntimeError) as error:
        sparkdp.configure_spark_with_sparkdp(FakeBuilder())
    message = str(error.value)
    for part in ("Scala 2.13", pip_utils.jar_file_name("2.13"), str(jars_dir),
                 "found: " + pip_utils.jar_file_name("2.12"), "make package", "spark.jars"):
        assert part in message, (part, message)


def fake_jvm(scala_version):
    """A py4j JVM view without the sparkdp classes, running Scala ``scala_version``."""
    properties = types.SimpleNamespace(versionNumberString=lambda: scala_version)
    return types.SimpleNamespace(
        sparkdp=types.SimpleNamespace(Session=object()),  # py4j gives a JavaPackage, not a JavaClass
        scala=types.SimpleNamespace(util=types.SimpleNamespace(Properties=properties)),
    )


def test_a_jvm_without_the_jar_names_the_options_and_the_jar_for_its_scala_line(jars_dir):
    with pytest.raises(RuntimeError) as error:
        _java.sparkdp_class(fake_jvm("2.12.18"), "Session")
    message = str(error.value)
    jar = str(jars_dir / pip_utils.jar_file_name("2.12"))
    for part in ("sparkdp.Session", "--jars " + jar, "spark.jars=" + jar,
                 "--extra-jars s3://<bucket>/<prefix>/" + pip_utils.jar_file_name("2.12"),
                 "configure_spark_with_sparkdp"):
        assert part in message, (part, message)
    # A Scala 2.13 JVM is told about the 2.13 jar (by name: this installation lacks it).
    with pytest.raises(RuntimeError) as error:
        _java.sparkdp_class(fake_jvm("2.13.14"), "Session")
    assert "--jars " + pip_utils.jar_file_name("2.13") in str(error.value)
