"""CSV export of everything a class produced: quiz answers and pair answers, one file, UTF-8 with BOM.

The BOM lets Excel (common on instructors' laptops in Korea) open Hangul correctly. Cells that a spreadsheet
would run as a formula are prefixed with an apostrophe (CSV injection).
"""

import csv
import io

HEADER = [
    "kind",
    "class",
    "student",
    "level",
    "pair",
    "question",
    "section",
    "round",
    "response",
    "correct",
    "at",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: list[list]) -> str:
    """Return the CSV text (with BOM) of HEADER followed by `rows`."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()
