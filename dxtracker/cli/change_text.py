"""How the commands print what they changed: "old → new", a blank value shown as （空欄）."""

from __future__ import annotations

from dxtracker.plan.revisions import TargetChange

BLANK = "（空欄）"


def blank(value: object) -> str:
    text = "" if value is None else str(value)
    return text or BLANK


def change_text(old: object, new: object) -> str:
    return f"{blank(old)} → {blank(new)}"


def print_target_change(change: TargetChange) -> None:
    if not change.changed:
        print("変更はありません。")
        return
    how = f"修正（第{change.edition}版）" if change.revised else "設定"
    print(f"{change.kpi_code} {change.fiscal_year}年度 目標を{how}: "
          f"{change_text(change.old_value, change.new_value)}")
