"""The corpus: returns messed up the way people do it, and the outcome each one gets.

One row per variation: how the file is made (from a real export, by `corpus_tools`), the
outcome (understood: the value meant is stored and the dry run says how it was read; warning:
stored, and the user told; refused: nothing of the file stored, the message naming file, sheet
and cell), what is stored and what the user is told. test_returns_as_filled.py checks every
row, and docs/returns-as-filled.md shows the same table (rendered from it: `markdown_table`).

The return is 商工労働部's for 令和4年度: KPI実績 rows 2–5 are P01-K1 (件), P01-K3 (時間), P03-K1
(%), P03-K3 (件), column J the actual, K the note; 施策進捗 rows 2–5 are P01-M1…M3, P03-M1.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pytest
from openpyxl.worksheet.filters import FilterColumn, Filters

from dxtracker.figures.entry import set_actual
from dxtracker.plan.revisions import revise_target
from dxtracker.report.grading import grade_kpi
from dxtracker.store.db import Database
from tests.core.corpus_tools import (
    DEPT,
    Edit,
    Maker,
    add_macro_project,
    excel_owner_file,
    save_formula_result,
)
from tests.helpers import find, snapshot

Outcome = Literal["understood", "warning", "refused"]
Build = Callable[[Maker], list[Path]]
OUTCOME_WORDS = {"understood": "読み取る（understood）", "warning": "警告（warning）",
                 "refused": "拒否（refused）"}


@dataclass(frozen=True)
class Variation:
    key: str
    what: str  # how the person filled the return (for the doc)
    outcome: Outcome
    build: Build
    stored: Mapping[str, str | None] = field(default_factory=dict)  # "[部局:]CODE.field"
    says: tuple[str, ...] = ()  # in a reading (understood) or the message (warning, refused)
    where: str | None = None  # the sheet and cell the message names
    outcomes: tuple[str, ...] = ()  # per file, when a variation merges several
    setup: Callable[[Database], object] | None = None  # before the export
    patch: Callable[[pytest.MonkeyPatch, list[Path]], object] | None = None
    check: Callable[[Database], object] | None = None  # what else must hold afterwards
    note: str = ""  # for the doc: what `check` makes sure of
    soffice: bool = False  # needs LibreOffice


def kpi(code: str, value: object, field_: str = "actual") -> dict[tuple[str, str, str], object]:
    return {("kpi", code, field_): value}


def typed(cells: Mapping[tuple[str, str, str], object], then: Callable[[Edit], object] | None
          = None, **export: Any) -> Build:
    return lambda m: [m.filled(cells, then, **export)]


def edited(then: Callable[[Edit], object], cells: Mapping[tuple[str, str, str], object]
           | None = None) -> Build:
    return typed(cells or kpi("P03-K3", 12), then)


# --------------------------------------------------------------------------- builders


def _formula_with_result(m: Maker) -> list[Path]:
    path = m.filled(then=lambda e: e.formula("kpi", "P03-K3", "actual", "=40+5"))
    return [save_formula_result(path, "KPI実績", "J5", 45)]


def _note_formula_with_result(m: Maker) -> list[Path]:
    path = m.filled(then=lambda e: e.formula("kpi", "P03-K3", "note", '="見込み"&"値"'))
    return [save_formula_result(path, "KPI実績", "K5", "見込み値")]


def _reverse_rows(edit: Edit) -> None:
    sheet = edit.sheet("kpi")
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    for number, values in enumerate(reversed(rows), start=2):
        for column, value in enumerate(values, start=1):
            sheet.cell(number, column).value = value


def _move_note_column_to_b(edit: Edit) -> None:
    sheet = edit.sheet("kpi")
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    for number, values in enumerate(rows, start=1):
        moved = [values[0], values[10], *values[1:10]]
        for column, value in enumerate(moved, start=1):
            sheet.cell(number, column).value = value
            sheet.cell(number, column).data_type = "s" if isinstance(value, str) else "n"


def _insert_row(at: int, column: str, text: str) -> Callable[[Edit], None]:
    def change(edit: Edit) -> None:
        edit.sheet("kpi").insert_rows(at)
        edit.sheet("kpi")[f"{column}{at}"] = text
    return change


def _heading_row(edit: Edit) -> None:
    sheet = edit.sheet("kpi")
    sheet.insert_rows(2)
    sheet["A2"] = "【商工政策課分】"
    sheet.merge_cells("A2:K2")


def _total_row(edit: Edit) -> None:
    sheet = edit.sheet("kpi")
    sheet["A6"], sheet["J6"] = "合計", "=SUM(J2:J5)"


def _insert_column(edit: Edit) -> None:
    sheet = edit.sheet("kpi")
    sheet.insert_cols(3)
    sheet["C1"], sheet["C5"] = "担当者", "田中"


def _merge_notes(edit: Edit) -> None:
    edit.type("kpi", "P01-K1", "note", "2行分の備考")
    edit.sheet("kpi").merge_cells("K2:K3")


def _paste_other_department(m: Maker) -> list[Path]:
    theirs = Edit(m.export("農林水産部.xlsx", department="農林水産部")).sheet("kpi")
    row = next([c.value for c in r] for r in theirs.iter_rows(min_row=2) if r[0].value == "P04-K1")
    row[9] = 700

    def paste(edit: Edit) -> None:
        edit.sheet("kpi").append(row)
    return [m.filled(kpi("P03-K3", 12), paste)]


def _hide_rows(edit: Edit) -> None:
    edit.sheet("kpi").row_dimensions[5].hidden = True


def _filter_rows(edit: Edit) -> None:
    sheet = edit.sheet("kpi")
    sheet.auto_filter.ref = "A1:K5"
    sheet.auto_filter.filterColumn.append(FilterColumn(colId=3, filters=Filters(filter=["%"])))
    for number in (2, 3, 5):
        sheet.row_dimensions[number].hidden = True


def _libreoffice(m: Maker) -> list[Path]:
    path = m.filled({**kpi("P03-K3", "約30"), **kpi("P03-K1", (0.85, "0%")),
                     **kpi("P01-K1", "１，２３４件"), ("measure", "P03-M1", "status"): "順調"})
    return [m.soffice(path, "xlsx")]


def _libreoffice_formula(m: Maker) -> list[Path]:
    path = m.filled(then=lambda e: e.formula("kpi", "P03-K3", "actual", "=40+5"))
    return [m.soffice(path, "xlsx")]


def _renamed(m: Maker, target: str) -> Path:
    """LibreOffice's conversion of a filled return, under the name `target`."""
    converted = m.soffice(m.filled(kpi("P03-K3", 12)), target.split(".")[-1])
    return converted.rename(converted.with_name(target))


def _ods_as_xlsx(m: Maker) -> list[Path]:
    ods = m.soffice(m.filled(kpi("P03-K3", 12)), "ods")
    return [ods.rename(ods.with_suffix(".xlsx"))]


def _xlsm(m: Maker) -> list[Path]:
    return [add_macro_project(m.filled(kpi("P03-K3", 12)), m.folder / "return.xlsm")]


def _lock_file(m: Maker) -> list[Path]:
    return [excel_owner_file(m.filled(kpi("P03-K3", 12)))]


def _open_in_excel(m: Maker) -> list[Path]:
    path = m.filled(kpi("P03-K3", 12))
    excel_owner_file(path)
    return [path]


def _sharing_violation(monkeypatch: pytest.MonkeyPatch, files: list[Path]) -> None:
    read_bytes = Path.read_bytes

    def locked(path: Path) -> bytes:  # Windows: another process holds it without sharing
        if path in files:
            raise PermissionError(13, "The process cannot access the file because it is "
                                      "being used by another process", str(path))
        return read_bytes(path)
    monkeypatch.setattr(Path, "read_bytes", locked)


def _twice(m: Maker) -> list[Path]:
    path = m.filled(kpi("P03-K3", 12))
    return [path, path]


def _copied(m: Maker) -> list[Path]:
    path = m.filled(kpi("P03-K3", 12))
    return [path, Path(shutil.copyfile(path, m.folder / "再送.xlsx"))]


def _older_after_newer(m: Maker) -> list[Path]:
    old = m.filled(kpi("P03-K3", 10), name="old.xlsx", exported_at=datetime(2023, 5, 1, 9))
    new = m.filled(kpi("P03-K3", 12), name="new.xlsx", exported_at=datetime(2023, 5, 20, 9))
    return [new, old]


def _set_before_export(db: Database) -> None:
    set_actual(db, "P03-K3", 2022, "5", department=DEPT)
    set_actual(db, "P01-K3", 2022, "7", department=DEPT)


def _revised_after_export(m: Maker) -> list[Path]:
    path = m.export()
    revise_target(m.db, "P03-K1", 2022, "46", "実績が目標を上回ったため")
    return [m.filled(kpi("P03-K1", 45), path=path)]


def _revision_survives(db: Database) -> None:
    """The revision stands, and the department's 45 is graded against the current 46."""
    target = find(snapshot(db), "kpis", "P03-K1")
    assert target["targets"]["2022"]["display"] == "46"
    assert [(r["old_value"]["display"], r["new_value"]["display"])
            for r in target["revisions"] if r["fiscal_year"] == 2022] == [("40", "46")]
    grade = grade_kpi(target, 2022)  # (45 − 36) ÷ (46 − 36) = 90 %; against 40 it would be A
    assert (grade.grade, grade.rate) == ("B", Decimal("0.9"))


LONG_NOTE = ("取組の詳細🙂\n" + "県内企業の実態調査を実施し、課題を整理した。\n" * 240)[:4996] + "\n以上👍"
FORMULA_LIKE = {"note": "=SUM(A1)", "record": "+81 90-1234-5678 に電話", "issues": "-5件の遅れ",
                "next_policy": "@担当者へ連絡"}


def _formula_like_texts(m: Maker) -> list[Path]:
    cells: dict[tuple[str, str, str], object] = {("kpi", "P03-K3", "note"): FORMULA_LIKE["note"]}
    for key in ("record", "issues", "next_policy"):
        cells[("measure", "P03-M1", key)] = FORMULA_LIKE[key]
    return [m.filled(cells)]


# --------------------------------------------------------------------------- the corpus

U, W, R = "understood", "warning", "refused"
V = Variation
FIGURES = [
    V("full_width", "実績値に全角の数字とカンマ「１，２３４」", U, typed(kpi("P03-K3", "１，２３４")),
      {"P03-K3.actual": "1,234"}, ("「１，２３４」→ 1,234（全角）",)),
    V("full_width_with_unit", "全角の数字に指標の単位「１，２３４件」", U,
      typed(kpi("P03-K3", "１，２３４件")), {"P03-K3.actual": "1,234"},
      ("「１，２３４件」→ 1,234（全角、単位「件」）",)),
    V("approximate", "「約30」", U, typed(kpi("P03-K3", "約30")), {"P03-K3.actual": "約30"},
      ("「約30」→ 30（概数）",)),
    V("man", "「1.2万」", U, typed(kpi("P01-K3", "1.2万")), {"P01-K3.actual": "12,000"},
      ("「1.2万」→ 12,000（万＝×10,000）",)),
    V("oku", "「1億」", U, typed(kpi("P01-K1", "1億")), {"P01-K1.actual": "100,000,000"},
      ("「1億」→ 100,000,000（億＝×100,000,000）",)),
    V("black_triangle", "「▲1.5」（マイナス）", U, typed(kpi("P03-K1", "▲1.5")),
      {"P03-K1.actual": "-1.5"}, ("「▲1.5」→ -1.5（▲はマイナス）",)),
    V("white_triangle", "「△2」（マイナス）", U, typed(kpi("P01-K3", "△2")),
      {"P01-K3.actual": "-2"}, ("「△2」→ -2（△はマイナス）",)),
    V("own_unit", "指標の単位を付けて「12件」", U, typed(kpi("P03-K3", "12件")),
      {"P03-K3.actual": "12"}, ("「12件」→ 12（単位「件」）",)),
    V("other_unit", "指標と違う単位「12人」（指標は件）", R, typed(kpi("P03-K3", "12人")),
      {"P03-K3.actual": None}, ("単位「人」", "「件」で数えた数値"), "KPI実績!J5"),
    V("number_as_text", "文字列として保存された数値「1234」", U, typed(kpi("P03-K3", "1234")),
      {"P03-K3.actual": "1,234"}, ("「1234」→ 1,234（文字列として保存された数値）",)),
    V("percent_cell", "%の指標にパーセント表示のセル（0.85 を 85% と表示）", U,
      typed(kpi("P03-K1", (0.85, "0%"))), {"P03-K1.actual": "85"},
      ("「85%」→ 85（パーセント表示のセル 0.85）",)),
    V("percent_cell_other_unit", "件の指標にパーセント表示のセル（50%）", R,
      typed(kpi("P03-K3", (0.5, "0%"))), {"P03-K3.actual": None},
      ("「50%」の単位「%」", "「件」"), "KPI実績!J5"),
    V("fraction_for_percent", "%の指標に小数「0.85」（85%のつもりかもしれない）", W,
      typed(kpi("P03-K1", 0.85)), {"P03-K1.actual": "0.85"},
      ("「0.85」は0.85%として取り込みます", "「85」と入力"), "KPI実績!J4"),
    V("date_cell", "日付の表示形式のセルに 45（1900/2/14 と表示される）", R,
      typed(kpi("P03-K3", (45, "yyyy/m/d"))), {"P03-K3.actual": None},
      ("日付「1900/02/14」", "表示形式を「標準」"), "KPI実績!J5"),
    V("formula_with_result", "入力欄に数式「=40+5」（計算結果 45 が保存されている）", W,
      _formula_with_result, {"P03-K3.actual": "45"}, ("計算結果「45」を取り込みます",),
      "KPI実績!J5"),
    V("formula_without_result", "入力欄に数式（計算結果が保存されていない。スクリプトで作成）", R,
      typed({}, lambda e: e.formula("kpi", "P03-K3", "actual", "=40+5")),
      {"P03-K3.actual": None}, ("計算結果が保存されていません",), "KPI実績!J5"),
    V("formula_in_note", "備考に数式（計算結果「見込み値」が保存されている）", W,
      _note_formula_with_result, {"P03-K3.note": "見込み値"},
      ("計算結果「見込み値」を取り込みます",), "KPI実績!K5"),
    V("spaces", "前後に空白「 45 」", U, typed(kpi("P03-K3", " 45 ")), {"P03-K3.actual": "45"},
      ("「 45 」→ 45（前後の空白を除く）",)),
    V("non_breaking_space", "後ろにノーブレークスペース「45 」（Webからの貼り付け）", U,
      typed(kpi("P03-K3", "45\u00a0")), {"P03-K3.actual": "45"},
      ("「45␣」→ 45（前後の空白を除く）",)),
    V("space_inside", "数字の間にノーブレークスペース「1 234」", R,
      typed(kpi("P03-K3", "1\u00a0234")), {"P03-K3.actual": None},
      ("「1\u00a0234」は数値として読めません",), "KPI実績!J5"),
    V("dash_as_blank", "値のあった実績値に「—」と「－」（出力時 5 と 7）", U,
      typed({**kpi("P03-K3", "—"), **kpi("P01-K3", "－")}),
      {"P03-K3.actual": None, "P01-K3.actual": None}, ("「—」→ 空欄", "「－」→ 空欄"),
      setup=_set_before_export),
    V("status_with_spaces", "進捗状況に全角空白付き「　概ね順調　」", U,
      typed({("measure", "P03-M1", "status"): "\u3000概ね順調\u3000"}),
      {"P03-M1.status": "概ね順調"}),
]

STRUCTURE = [
    V("rows_sorted", "行を並べ替え（逆順）", U,
      typed({**kpi("P03-K3", 12), **kpi("P01-K1", 5)}, _reverse_rows),
      {"P03-K3.actual": "12", "P01-K1.actual": "5"}),
    V("row_inserted_for_note", "行を挿入して指標名の列に注記「※以下は速報値」", W,
      edited(_insert_row(3, "C", "※以下は速報値")), {"P03-K3.actual": "12"},
      ("3行目はコードのない行のため取り込みません", "※以下は速報値"), "KPI実績!C3"),
    V("row_inserted_note_in_input", "行を挿入して備考の列（入力欄）に「※速報値」", R,
      edited(_insert_row(3, "K", "※速報値")), {"P03-K3.actual": None},
      ("コードが空欄の行（3行目）に入力があります", "A列のコードを元に戻す"), "KPI実績!K3"),
    V("heading_row_merged", "見出し行を挿入しA〜K列を結合「【商工政策課分】」", W,
      edited(_heading_row), {"P03-K3.actual": "12"}, ("【商工政策課分】",), "KPI実績!A2"),
    V("total_row", "表の下に合計行（A列「合計」、実績値に =SUM）", W, edited(_total_row),
      {"P03-K3.actual": "12"}, ("6行目はコードのない行のため取り込みません",), "KPI実績!A6:J6"),
    V("row_deleted", "指標の行を削除", W,
      typed(kpi("P01-K1", 5), lambda e: e.sheet("kpi").delete_rows(5)),
      {"P01-K1.actual": "5", "P03-K3.actual": None}, ("コード P03-K3 の行がありません",)),
    V("value_below_table", "表の下の空行の実績値の列に「45」", R,
      edited(lambda e: e.sheet("kpi").cell(8, 10, 45)), {"P03-K3.actual": None},
      ("コードが空欄の行（8行目）に入力があります",), "KPI実績!J8"),
    V("column_inserted", "列を挿入して「担当者」を記入", W, edited(_insert_column),
      {"P03-K3.actual": "12"}, ("表の外のC列に入力があります", "担当者"), "KPI実績!C1:C5"),
    V("column_moved", "備考の列を B列に移動", U,
      typed({**kpi("P03-K3", 12), **kpi("P03-K3", "見込み", "note")}, _move_note_column_to_b),
      {"P03-K3.actual": "12", "P03-K3.note": "見込み"}),
    V("note_right_of_table", "表の右（L列）にメモ「担当: 田中」", W,
      edited(lambda e: e.sheet("kpi").cell(5, 12, "担当: 田中")), {"P03-K3.actual": "12"},
      ("表の外のL列に入力があります", "担当: 田中"), "KPI実績!L5"),
    V("merged_locked_cells", "同じプロジェクト名のセルを結合（B2:B3）", U,
      edited(lambda e: e.sheet("kpi").merge_cells("B2:B3")), {"P03-K3.actual": "12"}),
    V("merged_input_cells", "2行の備考を結合して1つの備考（K2:K3）", W, edited(_merge_notes),
      {"P01-K1.note": "2行分の備考", "P01-K3.note": ""}, ("セルが結合されています（K2:K3）",),
      "KPI実績!K3"),
    V("sheet_renamed", "シート名を変更（KPI実績 → KPI実績（商工））", R,
      edited(lambda e: setattr(e.sheet("kpi"), "title", "KPI実績（商工）")),
      {"P03-K3.actual": None}, ("シート「KPI実績」がありません", "KPI実績（商工）")),
    V("sheet_moved", "シートの順番を変更（施策進捗を先頭へ）", U,
      edited(lambda e: e.book.move_sheet(e.sheet("measure"), -2)), {"P03-K3.actual": "12"}),
    V("extra_sheet", "シートを追加（「メモ」）", W,
      edited(lambda e: e.book.create_sheet("メモ").cell(1, 1, "連絡事項")),
      {"P03-K3.actual": "12"}, ("シート「メモ」は回答様式にないシート",), "メモ"),
    V("locked_cell_edited", "保護を解除して指標名を書き換え", R,
      edited(lambda e: e.cell("kpi", "P03-K1", "kpi_name").__setattr__("value", "導入率")),
      {"P03-K3.actual": None}, ("変更できないセルが変更されています", "「導入率」"),
      "KPI実績!C4"),
    V("target_edited", "保護を解除して目標値を書き換え（40 → 46）", R,
      edited(lambda e: e.cell("kpi", "P03-K1", "target").__setattr__("value", 46)),
      {"P03-K3.actual": None}, ("「40」→「46」", "「目標修正提案」シート"), "KPI実績!G4"),
    V("other_department_rows", "ほかの部局（農林水産部）の回答から行を貼り付け", R,
      _paste_other_department, {"P03-K3.actual": None, "農林水産部:P04-K1.actual": None},
      ("P04-K1 は商工労働部が報告する指標ではありません",), "KPI実績!A6"),
    V("hidden_rows", "入力した行を非表示", U, edited(_hide_rows), {"P03-K3.actual": "12"}),
    V("filtered_view", "フィルターで行を絞り込んだまま保存", U, edited(_filter_rows),
      {"P03-K3.actual": "12"}),
]

FILES = [
    V("libreoffice_resave", "LibreOffice Calcで開いて .xlsx で保存し直し", U, _libreoffice,
      {"P03-K3.actual": "約30", "P03-K1.actual": "85", "P01-K1.actual": "1,234",
       "P03-M1.status": "順調"}, ("「約30」→ 30（概数）",), soffice=True),
    V("libreoffice_formula", "LibreOffice Calcで数式「=40+5」を入力して保存", W,
      _libreoffice_formula, {"P03-K3.actual": "45"}, ("計算結果「45」を取り込みます",),
      "KPI実績!J5", soffice=True),
    V("ods", "LibreOfficeの形式（.ods）で保存", R, lambda m: [_renamed(m, "return.ods")],
      {"P03-K3.actual": None}, ("ODS形式", "Excel 2007-365 (.xlsx)"), soffice=True),
    V("ods_named_xlsx", ".ods の中身のまま名前だけ .xlsx", R, _ods_as_xlsx,
      {"P03-K3.actual": None}, ("ODS形式",), soffice=True),
    V("xlsm", "マクロ有効ブック（.xlsm、マクロ付き）で保存", U, _xlsm, {"P03-K3.actual": "12"}),
    V("xlsm_libreoffice", "LibreOfficeでマクロ有効ブック（.xlsm）として保存", U,
      lambda m: [_renamed(m, "return.xlsm")], {"P03-K3.actual": "12"}, soffice=True),
    V("xls", "古い形式（.xls、Excel 97-2003）で保存", R, lambda m: [_renamed(m, "return.xls")],
      {"P03-K3.actual": None}, (".xls", "Excelブック（*.xlsx）"), soffice=True),
    V("lock_file", "Excelのロックファイル（~$…xlsx）を取り込み対象に指定", R, _lock_file,
      {"P03-K3.actual": None}, ("ロックファイル",)),
    V("open_in_excel", "Excelで開いたままのファイル（~$ファイルがある）", W, _open_in_excel,
      {"P03-K3.actual": "12"}, ("tanakaさんがExcelなどで開いているようです",)),
    V("sharing_violation", "Windowsでほかのプログラムが使用中（共有違反）", R,
      typed(kpi("P03-K3", 12)),
      {"P03-K3.actual": None}, ("ほかのプログラムが使用中",), patch=_sharing_violation),
    V("same_file_twice", "同じファイルを2回指定", U, _twice, {"P03-K3.actual": "12"},
      outcomes=("merged", "duplicate")),
    V("same_content_resent", "同じ内容のファイルを別名で再送", U, _copied, {"P03-K3.actual": "12"},
      outcomes=("merged", "duplicate")),
    V("older_after_newer", "新しい回答の後に古い回答（出力日時が前）", R, _older_after_newer,
      {"P03-K3.actual": "12"}, ("古いものです", "--force"), outcomes=("merged", "refused")),
    V("another_fiscal_year", "前年度（令和3年度）の回答様式に入力", R,
      typed(kpi("P03-K3", 12), fiscal_year=2021), {"P03-K3.actual": None},
      ("令和3年度の回答です", "取り込む年度: 令和4年度")),
    V("target_revised_after_export", "出力の後に本部が目標値を修正（40 → 46）", U,
      _revised_after_export, {"P03-K1.actual": "45"}, check=_revision_survives,
      note="目標の修正（40→46）は残り、45 は修正後の 46 に対して評価（B、90%）"),
    V("long_text", "備考に5,000文字の長文（改行・絵文字入り）", U,
      typed(kpi("P03-K3", LONG_NOTE, "note")), {"P03-K3.note": LONG_NOTE}),
    V("formula_like_text", "文字列で「=SUM(A1)」「+81…」「-5件…」「@担当者…」", U,
      _formula_like_texts, {"P03-K3.note": FORMULA_LIKE["note"],
                            **{f"P03-M1.{k}": v for k, v in FORMULA_LIKE.items() if k != "note"}}),
]

CORPUS = [*FIGURES, *STRUCTURE, *FILES]
BY_KEY = {v.key: v for v in CORPUS}


def markdown_table() -> str:
    """The corpus as the table in docs/returns-as-filled.md."""
    lines = ["| # | 入力のしかた | 結果 | 保存される値 | 表示・メッセージ（抜粋） |",
             "|---|---|---|---|---|"]
    for number, v in enumerate(CORPUS, start=1):
        stored = "、".join(f"{k} = {_shown(value)}" for k, value in v.stored.items())
        says = " / ".join(f"「{s}」" if not s.startswith("「") else s for s in v.says)
        if v.where:
            says = f"{v.where}: {says}" if says else v.where
        if v.outcomes:
            says = ("各ファイル: " + " → ".join(v.outcomes) + (f"; {says}" if says else ""))
        if v.note:
            says = f"{says}; {v.note}" if says else v.note
        lines.append(f"| {number} `{v.key}` | {v.what} | {OUTCOME_WORDS[v.outcome]} | "
                     f"{stored} | {says} |")
    return "\n".join(line.replace("\n", " ") for line in lines) + "\n"


def _shown(value: str | None) -> str:
    if value is None:
        return "（空欄）"
    return value if len(value) <= 24 else f"{value[:12]}…（{len(value):,}文字）"
