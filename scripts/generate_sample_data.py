#!/usr/bin/env python3
"""Generates the bundled synthetic library-checkouts data set, deterministically.

Writes two CSV files (header line, comma-separated, "\\n" line ends, UTF-8):

* ``books.csv``: ``title,author,isbn,publication_year``, one row per book in the
  catalogue. A few titles are shared by different books (other author, other
  ISBN), so a key needs all of (title, author, isbn).
* ``checkouts.csv``: ``member_id,checkout_date,title,author,isbn``, one row per
  checkout. Popularity is Zipf-skewed; most members borrow a few books, some
  heavy readers borrow far more than 20 (so ``MaxRowsPerID(20)`` truncates);
  a few checkouts are of withdrawn books that are not in ``books.csv`` (so a
  KeySet built from the catalogue must drop them).

Only the standard library is used, and all randomness comes from one
``random.Random`` with a fixed seed, so the same Python gives the same bytes
(a test checks that regenerating reproduces the committed files).

Usage: ``python scripts/generate_sample_data.py [--out-dir data]``
"""

import argparse
import csv
import datetime
import os
import random
from typing import List, Sequence, Tuple

SEED = 20251125
BOOK_COUNT = 300
SHARED_TITLE_COUNT = 6  # extra books reusing an existing title
WITHDRAWN_BOOK_COUNT = 5  # borrowed, but missing from books.csv
MEMBER_COUNT = 2000
HEAVY_READER_FRACTION = 0.07
ZIPF_EXPONENT = 1.0
FIRST_CHECKOUT_DATE = datetime.date(2023, 1, 1)
CHECKOUT_DAYS = 730

_TITLE_ADJECTIVES = [
    "Silent", "Hidden", "Last", "Broken", "Golden", "Distant", "Burning",
    "Quiet", "Lost", "Crimson", "Endless", "Secret", "Winter", "Wild", "Pale",
    "Iron", "Glass", "Northern", "Hollow", "Bright",
]
_TITLE_NOUNS = [
    "River", "Garden", "Mirror", "Harbor", "Forest", "Letter", "Kingdom",
    "Orchard", "Lantern", "Island", "Voyage", "Archive", "Tower", "Season",
    "Promise", "Compass", "Meadow", "Signal", "Bridge", "Shadow",
]
_FIRST_NAMES = [
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines",
    "Jonas", "Kemi", "Liam", "Mei", "Nora", "Omar", "Priya", "Quinn", "Rosa",
    "Sven", "Tariq", "Uma", "Vera", "Wen", "Yara", "Zoe",
]
_LAST_NAMES = [
    "Abbott", "Baker", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia",
    "Haddad", "Ivanova", "Jensen", "Kowalski", "Larsen", "Moreau", "Nakamura",
    "Okafor", "Petrov", "Quintero", "Rossi", "Sato", "Tanaka", "Umar", "Varga",
    "Weber", "Xu", "Yilmaz", "Zhang",
]

Book = Tuple[str, str, str, int]  # title, author, isbn, publication_year


def isbn13(rng: random.Random) -> str:
    """Returns a random ISBN-13 (prefix 978) with a valid check digit."""
    digits = [9, 7, 8] + [rng.randrange(10) for _ in range(9)]
    weighted_sum = sum(d * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits))
    digits.append((10 - weighted_sum % 10) % 10)
    return "".join(str(d) for d in digits)


def make_books(rng: random.Random, count: int, taken_titles: set) -> List[Book]:
    """Makes ``count`` books with distinct, not yet taken, titles."""
    books = []  # type: List[Book]
    while len(books) < count:
        title = "The {} {}".format(rng.choice(_TITLE_ADJECTIVES), rng.choice(_TITLE_NOUNS))
        if rng.random() < 0.35:
            title += " {}".format(rng.choice(["II", "III", "Returns", "Again", "Diaries"]))
        if title in taken_titles:
            continue
        taken_titles.add(title)
        author = "{} {}".format(rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES))
        books.append((title, author, isbn13(rng), rng.randint(1950, 2024)))
    return books


def make_catalogue(rng: random.Random) -> Tuple[List[Book], List[Book]]:
    """Returns (catalogue books, withdrawn books not in the catalogue)."""
    taken_titles = set()  # type: set
    books = make_books(rng, BOOK_COUNT - SHARED_TITLE_COUNT, taken_titles)
    for original in rng.sample(books, SHARED_TITLE_COUNT):
        while True:
            author = "{} {}".format(rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES))
            if author != original[1]:
                break
        books.append((original[0], author, isbn13(rng), rng.randint(1950, 2024)))
    rng.shuffle(books)
    withdrawn = make_books(rng, WITHDRAWN_BOOK_COUNT, taken_titles)
    return books, withdrawn


def checkouts_per_member(rng: random.Random) -> int:
    """Draws how many checkouts one member has: mostly 1-20, heavy readers 21-100."""
    if rng.random() < HEAVY_READER_FRACTION:
        return rng.randint(21, 100)
    return min(20, 1 + int(rng.expovariate(1 / 16.0)))


def make_checkouts(
    rng: random.Random, books: Sequence[Book], withdrawn: Sequence[Book]
) -> List[Tuple[int, str, str, str, str]]:
    """Makes the checkouts of all members, sorted by member and date."""
    popularity_order = list(books)
    rng.shuffle(popularity_order)
    cumulative_weights = []  # type: List[float]
    total_weight = 0.0
    for rank in range(1, len(popularity_order) + 1):
        total_weight += 1.0 / rank ** ZIPF_EXPONENT
        cumulative_weights.append(total_weight)
    rows = []
    for member_id in range(1, MEMBER_COUNT + 1):
        member_rows = []
        for _ in range(checkouts_per_member(rng)):
            if rng.random() < 0.002:
                book = rng.choice(withdrawn)
            else:
                book = rng.choices(popularity_order, cum_weights=cumulative_weights)[0]
            day = FIRST_CHECKOUT_DATE + datetime.timedelta(days=rng.randrange(CHECKOUT_DAYS))
            member_rows.append((member_id, day.isoformat(), book[0], book[1], book[2]))
        member_rows.sort()
        rows.extend(member_rows)
    return rows


def write_csv(path: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Writes rows as CSV with "\\n" line ends, whatever the platform."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def generate(out_dir: str) -> None:
    """Writes books.csv and checkouts.csv into ``out_dir``."""
    rng = random.Random(SEED)
    books, withdrawn = make_catalogue(rng)
    checkouts = make_checkouts(rng, books, withdrawn)
    os.makedirs(out_dir, exist_ok=True)
    write_csv(
        os.path.join(out_dir, "books.csv"),
        ["title", "author", "isbn", "publication_year"],
        sorted(books),
    )
    write_csv(
        os.path.join(out_dir, "checkouts.csv"),
        ["member_id", "checkout_date", "title", "author", "isbn"],
        checkouts,
    )


def main() -> None:
    """Parses the command line and generates the data."""
    repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out-dir",
        default=os.path.join(repo_root, "data"),
        help="directory to write books.csv and checkouts.csv into (default: data/)",
    )
    generate(parser.parse_args().out_dir)


if __name__ == "__main__":
    main()
