"""Cells every CSV and Excel export writes (lib/spreadsheet.py)."""

from __future__ import annotations

from dolbom.lib.spreadsheet import defuse, defuse_typed


def test_a_spreadsheet_cell_that_would_run_as_a_formula_is_defused():
    assert defuse('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [defuse(v) for v in ("+1", "-1", "@a", "\tx", None, "서신동")] == ["'+1", "'-1", "'@a", "'\tx", "", "서신동"]


def test_a_typed_cell_keeps_its_number_and_defuses_its_text():
    assert defuse_typed(-3) == -3 and defuse_typed(None) is None
    assert defuse_typed("-3") == "'-3"
