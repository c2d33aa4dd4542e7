"""User text written into CSV and XLSX files, shared by every export (style rule 11)."""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: str) -> str:
    """A leading = + - @ tab or CR would make a spreadsheet run the cell as a formula, so it
    is prefixed with ``'``; control characters, which openpyxl refuses for the whole file,
    are dropped."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value
