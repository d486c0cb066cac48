"""The bundled sample data is reproducible and has the shape the demos rely on."""

import csv
import subprocess
import sys
from collections import Counter

from conftest import REPO_ROOT

DATA_DIR = REPO_ROOT / "data"


def _rows(path):
    with open(str(path), encoding="utf-8", newline="") as source:
        return list(csv.DictReader(source))


def test_regenerating_gives_identical_bytes(tmp_path):
    subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "generate_sample_data.py"),
         "--out-dir", str(tmp_path)],
        check=True,
    )
    for name in ("books.csv", "checkouts.csv"):
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), (
            "data/{} differs from a fresh run of scripts/generate_sample_data.py; "
            "regenerate and commit it".format(name)
        )


def test_data_is_small():
    total_bytes = sum((DATA_DIR / n).stat().st_size for n in ("books.csv", "checkouts.csv"))
    assert total_bytes < 3 * 1024 * 1024, total_bytes


def test_books_have_shared_titles_but_distinct_keys():
    books = _rows(DATA_DIR / "books.csv")
    assert list(books[0]) == ["title", "author", "isbn", "publication_year"]
    assert 250 <= len(books) <= 350
    keys = {(b["title"], b["author"], b["isbn"]) for b in books}
    assert len(keys) == len(books)
    assert len({b["isbn"] for b in books}) == len(books)
    shared = [t for t, n in Counter(b["title"] for b in books).items() if n > 1]
    assert 1 <= len(shared) <= 20


def test_checkouts_shape():
    books = _rows(DATA_DIR / "books.csv")
    checkouts = _rows(DATA_DIR / "checkouts.csv")
    assert list(checkouts[0]) == ["member_id", "checkout_date", "title", "author", "isbn"]
    assert 25000 <= len(checkouts) <= 35000
    per_member = Counter(int(c["member_id"]) for c in checkouts)
    assert 1900 <= len(per_member) <= 2000
    heavy_readers = [m for m, n in per_member.items() if n > 20]
    assert len(heavy_readers) >= 20
    keys = {(b["title"], b["author"], b["isbn"]) for b in books}
    outside = [c for c in checkouts if (c["title"], c["author"], c["isbn"]) not in keys]
    assert 1 <= len(outside) <= 0.01 * len(checkouts)
    popularity = sorted(
        Counter((c["title"], c["author"], c["isbn"]) for c in checkouts).values(),
        reverse=True,
    )
    assert popularity[0] > 10 * popularity[len(popularity) // 2], "popularity not skewed"
