"""The Python package must parse and run on Python 3.7 (AWS Glue 3.0).

No Python 3.7 is installable here, so two static checks stand in for it:

* vermin with ``--target=3.7-`` (the minimum required version must be 3.7 or
  lower) and ``--eval-annotations`` (so that ``list[str]`` in a signature,
  which 3.7 evaluates at definition time, counts as 3.9+). Plain
  ``--target=3.7`` would demand a minimum of *exactly* 3.7.
* an AST walk for ``X | Y`` in evaluated annotations, which vermin 1.9 misses,
  plus ``ast.parse(..., feature_version=(3, 7))`` for grammar (walrus,
  positional-only parameters).

Each check is also run on a deliberately bad file, so these tests can fail.
"""

import ast
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from conftest import REPO_ROOT

PACKAGE_DIR = REPO_ROOT / "python"
# Other Python files of ours that users may run on Glue's Python 3.7.
OTHER_CHECKED_FILES = [
    REPO_ROOT / "examples" / "seed_query.py",
    REPO_ROOT / "examples" / "glue_seed_job.py",
    REPO_ROOT / "examples" / "tumult_examples.py",
    REPO_ROOT / "scripts" / "generate_sample_data.py",
]


def _vermin(path: Path) -> subprocess.CompletedProcess:
    vermin = Path(sys.executable).parent / "vermin"
    command = [str(vermin)] if vermin.exists() else [sys.executable, "-m", "vermin"]
    return subprocess.run(
        command
        + ["--target=3.7-", "--no-tips", "--violations", "--eval-annotations",
           str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
    )


def _annotation_union_violations(source: str, file_name: str) -> List[str]:
    """Finds `X | Y` in annotations that Python evaluates (not under the future import)."""
    tree = ast.parse(source, filename=file_name)
    if any(
        isinstance(node, ast.ImportFrom) and node.module == "__future__"
        and any(alias.name == "annotations" for alias in node.names)
        for node in tree.body
    ):
        return []
    annotations = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            for argument in (arguments.posonlyargs + arguments.args + arguments.kwonlyargs
                             + [a for a in (arguments.vararg, arguments.kwarg) if a]):
                if argument.annotation is not None:
                    annotations.append(argument.annotation)
            if node.returns is not None:
                annotations.append(node.returns)
        elif isinstance(node, ast.ClassDef):
            annotations.extend(
                n.annotation for n in node.body if isinstance(n, ast.AnnAssign)
            )
    annotations.extend(n.annotation for n in tree.body if isinstance(n, ast.AnnAssign))
    return [
        "{}:{}: `X | Y` in an annotation needs Python 3.10".format(file_name, sub.lineno)
        for annotation in annotations
        for sub in ast.walk(annotation)
        if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.BitOr)
    ]


def _python_files() -> List[Path]:
    return sorted(PACKAGE_DIR.rglob("*.py")) + OTHER_CHECKED_FILES


def test_vermin_reports_no_violations_in_package():
    result = _vermin(PACKAGE_DIR)
    assert result.returncode == 0, result.stdout
    assert "requires" not in result.stdout, result.stdout


@pytest.mark.parametrize("path", OTHER_CHECKED_FILES, ids=lambda p: p.name)
def test_vermin_reports_no_violations_in_examples_and_generator(path):
    result = _vermin(path)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    "bad_source",
    [
        "from typing import List\ndef f(names: list[str]) -> int:\n    return 1\n",
        "def f(a, /, b):\n    return a\n",
        "def f(xs):\n    if (n := len(xs)) > 1:\n        return n\n",
    ],
    ids=["builtin-generic", "positional-only", "walrus"],
)
def test_vermin_check_fails_on_post_37_syntax(tmp_path, bad_source):
    (tmp_path / "bad.py").write_text(bad_source)
    result = _vermin(tmp_path)
    assert result.returncode != 0, result.stdout


def test_files_parse_with_python37_grammar():
    for path in _python_files():
        source = path.read_text(encoding="utf-8")
        ast.parse(source, filename=str(path), feature_version=(3, 7))


def test_no_union_operator_in_annotations():
    violations = []
    for path in _python_files():
        violations += _annotation_union_violations(path.read_text(encoding="utf-8"), str(path))
    assert violations == []


def test_union_operator_check_can_fail():
    assert _annotation_union_violations("def f(x: int | None) -> None:\n    pass\n", "bad.py")
    with pytest.raises(SyntaxError):
        ast.parse("def f(a, /, b):\n    pass\n", feature_version=(3, 7))
