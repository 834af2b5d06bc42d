"""Merged ranges of a return sheet: the cells they hide, kept to the table's own rows and columns.

A crafted file may declare ranges spanning the whole sheet (A1:BL20000) many times over; the
file-safety checks do not bound merged ranges, so the table must not walk every cell of them.
"""

from __future__ import annotations

from dxtracker.returns import layout
from dxtracker.returns.table import ReturnTable

WHOLE_SHEET = ((0, 0), (19_999, 63))  # A1:BL20000, calamine's (row, column) from 0


def table(merges: list) -> ReturnTable:
    rows = [["code", "a", "b", "c"], ["P01-K1", "", "", ""], ["P01-K2", "", "", ""]]
    return ReturnTable(sheet="KPI実績", key="kpi", columns=layout.COLUMNS["kpi"], rows=rows,
                       facts=None, index={"code": 0, "actual": 2, "note": 3}, merges=merges)


def test_a_layout_merge_hides_the_cells_under_its_top_left_cell():
    covered = table([((1, 2), (2, 2))]).covered  # C2:C3
    assert covered == {(3, 2): "C2:C3"}


def test_whole_sheet_ranges_are_clipped_to_the_table():
    covered = table([WHOLE_SHEET] * 5).covered
    assert covered, "the table's own cells under the range are still marked"
    assert all(1 <= row <= 3 and column in (0, 2, 3) for row, column in covered)
    assert len(covered) <= 3 * 3

