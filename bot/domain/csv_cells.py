"""Cells of the CSV files Timebox writes, safe to open in a spreadsheet.

A cell a spreadsheet would run as a formula is neutralised (OWASP's CSV injection advice: a
leading single quote); `restored` takes that quote off again, so a file read back is exact.
Both exports (backlog and sprint) write their cells through `neutralised`.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP, CSV injection)."""


def neutralised(cell: str) -> str:
    """A cell a spreadsheet shows as text, never runs: one starting like a formula (or with
    the quote that marks such a cell) gets a leading single quote."""
    return "'" + cell if cell.startswith((*FORMULA_STARTS, "'")) else cell


def restored(cell: str) -> str:
    """The text `neutralised` was given, from a cell it wrote; other cells as they are."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in (*FORMULA_STARTS, "'"):
        return cell[1:]
    return cell
