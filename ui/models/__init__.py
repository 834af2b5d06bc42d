"""Qt models of the desktop app: table and list models over plain rows from the core."""

from __future__ import annotations

from dxtracker.figures.fiscal_year import fiscal_year_label, fiscal_year_label_en
from ui.i18n import language


def year_label(fiscal_year: int) -> str:
    """令和4年度, or FY2022 when the app is in English (the era label is display only)."""
    return fiscal_year_label_en(fiscal_year) if language() == "en" else \
        fiscal_year_label(fiscal_year)


def full_year_label(fiscal_year: int) -> str:
    """令和4年度, or "FY2022 (令和4年度)" in English: where a year is chosen or heads a
    section, the era name the plan's own papers use is kept beside it."""
    label = fiscal_year_label(fiscal_year)
    return f"{fiscal_year_label_en(fiscal_year)} ({label})" if language() == "en" else label
