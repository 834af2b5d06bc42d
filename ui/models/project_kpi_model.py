"""The project view's KPI table: baseline, then target and actual per fiscal year.

A `QAbstractTableModel` over the KPI rows of `dxtracker.plan.snapshot` (the `plan show --json`
shape), with the grade of the selected fiscal year (`dxtracker.report.grading`) last. A revised target reads "10,000（8,000からの修正）" in red: the words carry the
revision as well as the colour (machine-readability rules: colour is never the only carrier).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ui.i18n import language, tr
from ui.models import year_label

Index = QModelIndex | QPersistentModelIndex
REVISION_RED = QColor(200, 0, 0)
MUTED = QColor(110, 110, 110)
CURRENT_YEAR_BACKGROUND = QColor(255, 248, 214)
NAME, UNIT, BASELINE = 0, 1, 2
FIXED_COLUMNS = 3
CODE_ROLE = Qt.ItemDataRole.UserRole + 1


def shown(value: dict[str, Any] | None) -> str:
    return value["display"] if value else ""


def revised_text(new: str, old: str) -> str:
    return tr("{new}（{old}からの修正）", new=new, old=old)


class ProjectKpiModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []
        self.fiscal_years: list[int] = []
        self.baseline_fiscal_year = 0
        self.current_fiscal_year: int | None = None
        self.grades: dict[str, Any] = {}  # KPI code → Grade of the current fiscal year
        self.unknown_label, self.not_assessable_label = "未把握", "評価不能"

    def set_rows(self, rows: list[dict[str, Any]], fiscal_years: list[int],
                 baseline_fiscal_year: int, current_fiscal_year: int | None,
                 grades: dict[str, Any] | None = None) -> None:
        self.beginResetModel()
        self.rows = rows
        self.fiscal_years = fiscal_years
        self.baseline_fiscal_year = baseline_fiscal_year
        self.current_fiscal_year = current_fiscal_year
        self.grades = grades or {}
        self.endResetModel()

    def retranslate(self) -> None:
        """Texts depend on the language: tell the view everything changed."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self.rowCount() - 1, self.columnCount() - 1))

    # --- shape -------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or not self.fiscal_years:
            return 0
        return FIXED_COLUMNS + 2 * len(self.fiscal_years) + 1  # + the grade

    @property
    def grade_column(self) -> int:
        return FIXED_COLUMNS + 2 * len(self.fiscal_years)

    def year_of_column(self, column: int) -> tuple[int, str] | None:
        """(fiscal year, "target" | "actual") of a per-year column."""
        if column < FIXED_COLUMNS or column >= self.grade_column:
            return None
        offset = column - FIXED_COLUMNS
        return self.fiscal_years[offset // 2], ("target", "actual")[offset % 2]

    def row_of_code(self, code: str) -> int:
        return next((i for i, k in enumerate(self.rows) if k["code"] == code), -1)

    # --- headers -----------------------------------------------------------------------------
    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        year = self.year_of_column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if section == NAME:
                return tr("指標項目")
            if section == UNIT:
                return tr("単位")
            if section == self.grade_column and self.current_fiscal_year:
                return tr("評価\n{year}", year=year_label(self.current_fiscal_year))
            if section == BASELINE:
                return tr("現状\n{year}", year=year_label(self.baseline_fiscal_year))
            assert year is not None
            kind = tr("目標") if year[1] == "target" else tr("実績")
            return f"{kind}\n{year_label(year[0])}"
        if role == Qt.ItemDataRole.FontRole and year and year[0] == self.current_fiscal_year:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and year and year[0] == self.current_fiscal_year:
            return tr("選択中の年度")
        return None

    # --- cells -------------------------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        kpi = self.rows[index.row()]
        column = index.column()
        year = self.year_of_column(column)
        if role == CODE_ROLE:
            return kpi["code"]
        if column == self.grade_column:
            return self._grade_data(kpi, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(kpi, column, year)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colour(kpi, column, year)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(kpi, column, year)
        if role == Qt.ItemDataRole.BackgroundRole and year and year[0] == self.current_fiscal_year:
            return QBrush(CURRENT_YEAR_BACKGROUND)
        if role == Qt.ItemDataRole.TextAlignmentRole and column != NAME:
            horizontal = Qt.AlignmentFlag.AlignCenter if column == UNIT else \
                Qt.AlignmentFlag.AlignRight
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _grade_data(self, kpi: dict[str, Any], role: int) -> Any:
        grade = self.grades.get(kpi["code"])
        if grade is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return grade_label(grade)
        if role == Qt.ItemDataRole.ToolTipRole:
            manual = tr("（手入力の評価）") if grade.manual else ""
            return f"{grade.reason_in(language())}{manual}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole and grade.grade in ("unknown",
                                                                     "not_assessable"):
            return QBrush(MUTED)
        return None

    def _text(self, kpi: dict[str, Any], column: int, year: tuple[int, str] | None) -> str:
        if column == NAME:
            new = tr("【新】") if kpi["is_new"] else ""
            note = f"\n{kpi['note']}" if kpi["note"] else ""
            return f"{new}{kpi['name']}{note}"
        if column == UNIT:
            return kpi["unit"]
        if column == BASELINE:
            return shown(kpi["baseline"]) or "—"
        assert year is not None
        fy = str(year[0])
        if year[1] == "target":
            return self._target_text(kpi, fy)
        text = shown(kpi["actuals"].get(fy))
        note = kpi["actual_notes"].get(fy, "")
        if text and note:
            return f"{text}（{note}）"
        return text or "—"

    def _target_text(self, kpi: dict[str, Any], fy: str) -> str:
        target = shown(kpi["targets"].get(fy))
        note = kpi["target_notes"].get(fy, "")
        revision = first_revision(kpi, int(fy))
        if revision is not None and target:
            target = revised_text(target, shown(revision["old_value"]) or "—")
        if note:
            return f"{target}（{note}）" if target else note
        return target or "—"

    def _colour(self, kpi: dict[str, Any], column: int, year: tuple[int, str] | None) -> Any:
        if year and year[1] == "target" and first_revision(kpi, year[0]) is not None:
            return QBrush(REVISION_RED)
        if column == NAME and kpi["is_new"]:
            return QBrush(REVISION_RED)  # the seed prints 【新】 KPIs in red too
        if self._text(kpi, column, year) == "—":
            return QBrush(MUTED)
        return None

    def _tooltip(self, kpi: dict[str, Any], column: int, year: tuple[int, str] | None) -> str:
        if column == NAME:
            lines = [kpi["code"], tr("累計") if kpi["cumulative"] else tr("単年度")]
            lines.append(tr("報告する部局: {departments}",
                            departments="、".join(kpi["reporting_departments"])))
            return "\n".join(lines)
        if year is None:
            return ""
        fy = year[0]
        if year[1] == "target":
            revisions = [r for r in kpi["revisions"] if r["fiscal_year"] == fy]
            return "\n".join(
                tr("{old} → {new}（修正の理由: {reason}）", old=shown(r["old_value"]),
                   new=shown(r["new_value"]), reason=r["reason"] or tr("記載なし"))
                for r in revisions)
        parts = kpi["contributions"].get(str(fy), [])
        if not kpi["actuals"].get(str(fy)):
            return tr("未入力")
        return "\n".join(f"{p['department'] or tr('計画書の記載')}: {shown(p['value'])}"
                         for p in parts)


def grade_label(grade: Any) -> str:
    """「C（52.8%）」, 「未把握」: a grade of `dxtracker.report.grading` as the table shows it."""
    label = {"unknown": tr("未把握"), "not_assessable": tr("評価不能")}.get(
        grade.grade, grade.grade)
    achievement = grade.achievement_text()
    if achievement in ("達成", "未達成"):
        achievement = tr("達成") if achievement == "達成" else tr("未達成")
    return f"{label}（{achievement}）" if achievement else label


def first_revision(kpi: dict[str, Any], fiscal_year: int) -> dict[str, Any] | None:
    """The first revision of the year: its old value is the target as first published."""
    return next((r for r in kpi["revisions"] if r["fiscal_year"] == fiscal_year), None)
