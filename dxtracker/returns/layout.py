"""The return workbook's layout (format version 1): sheets, columns, colours, metadata.

Export and reader both work from these definitions, and from the same text rules
(`clean_text`, `cell_text`), so that a cell nobody touched reads back exactly as the
metadata recorded it. Change the layout only together with `FORMAT_VERSION`.

Metadata sheet (very hidden), one record a row, every cell a string:
    meta | KEY | VALUE        format, format_version, plan_code, … (readable at a glance)
    data | JSON PIECE         the table contents at export, in pieces that fit a cell:
                              {"headers": {SHEET_KEY: [header, …]},
                               "rows": {SHEET_KEY: [[code, text of each further cell], …]}}
    checksum | SHA-256        over every record above (`checksum`)
The table contents are one JSON document rather than a cell per table cell: the metadata then
costs a few cells instead of doubling the workbook.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

# The format version lives with the interface (model.py); re-exported for the layout's readers.
from dxtracker.returns.model import FORMAT_VERSION as FORMAT_VERSION

FORMAT_NAME = "dxtracker-return"

INSTRUCTIONS_SHEET = "記入方法"
KPI_SHEET = "KPI実績"
MEASURE_SHEET = "施策進捗"
PROPOSAL_SHEET = "目標修正提案"
META_SHEET = "dxtracker_meta"

SHEET_KEYS = {"kpi": KPI_SHEET, "measure": MEASURE_SHEET, "proposal": PROPOSAL_SHEET}

# Colours (ARGB without alpha). Yellow marks input cells; the headers say 【入力】 as well, so
# colour is never the only carrier of meaning (machine-readability rules, FACTS.md).
INPUT_FILL = "FFF2CC"
HEADER_FILL = "DDEBF7"
INPUT_MARK = "【入力】"
# A return sent back (差戻し): the input cells of each item to fix are orange, and a column of
# its own beside the table says 【要修正】 and why (not colour alone). Not read back.
FIX_FILL = "F8CBAD"
FIX_MARK = "【要修正】"
REMARK_HEADER = "差戻しの理由（本部から）"
REMARK_WIDTH = 44

PROPOSAL_ROWS = 30  # blank input rows on the proposals sheet
EXCEL_CELL_LIMIT = 32_767  # Excel refuses longer cell texts


@dataclass(frozen=True)
class Column:
    key: str  # stable name used by code and metadata
    header: str  # header text; "{fy}", "{prev}" and "{base}" are year labels
    width: float  # in Excel's character units; a Japanese character takes about 2
    input: bool = False  # unlocked and yellow; everything else is locked
    number: bool = False  # written as a number cell when the value is a plain number


KPI_COLUMNS: tuple[Column, ...] = (
    Column("code", "指標コード", 11),
    Column("project", "プロジェクト", 24),
    Column("kpi_name", "指標名", 38),
    Column("unit", "単位", 8),
    Column("scope", "報告範囲", 18),
    Column("baseline", "現状値（{base}）", 13, number=True),
    Column("target", "目標値（{fy}）", 13, number=True),
    Column("target_note", "目標の修正・備考", 24),
    Column("last_actual", "前年度実績（{prev}）", 14, number=True),
    Column("actual", "実績値（{fy}）" + INPUT_MARK, 16, input=True, number=True),
    Column("note", "備考" + INPUT_MARK, 40, input=True),
)

MEASURE_COLUMNS: tuple[Column, ...] = (
    Column("code", "施策コード", 11),
    Column("project", "プロジェクト", 24),
    Column("measure", "施策", 32),
    Column("departments", "担当部局", 16),
    Column("schedule", "工程（{fy}）", 40),
    Column("status", "進捗状況" + INPUT_MARK, 13, input=True),
    Column("record", "取組実績" + INPUT_MARK, 40, input=True),
    Column("issues", "課題" + INPUT_MARK, 34, input=True),
    Column("next_policy", "今後の対応方針" + INPUT_MARK, 34, input=True),
)

PROPOSAL_COLUMNS: tuple[Column, ...] = (
    Column("kpi_code", "指標コード" + INPUT_MARK, 16, input=True),
    Column("fiscal_year", "年度" + INPUT_MARK, 14, input=True),
    Column("value", "修正後の目標値（提案）" + INPUT_MARK, 22, input=True, number=True),
    Column("reason", "修正の理由" + INPUT_MARK, 60, input=True),
)

COLUMNS = {"kpi": KPI_COLUMNS, "measure": MEASURE_COLUMNS, "proposal": PROPOSAL_COLUMNS}

# Metadata keys, in the order they are written.
META_KEYS = ("format", "format_version", "plan_code", "plan_fingerprint", "department_code",
             "department_name", "fiscal_year", "exported_at", "app_version")


def headers(columns: Sequence[Column], labels: dict[str, str]) -> list[str]:
    return [c.header.format(**labels) for c in columns]


def header_key(text: object) -> str:
    """A header compared loosely: width, spaces and line breaks do not matter."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


# --------------------------------------------------------------------------- 記入方法


def instruction_lines(labels: dict[str, str]) -> list[tuple[str, str]]:
    """(heading, text) lines of the instructions sheet."""
    fy = labels["fy"]
    return [
        ("このブックについて",
         f"DX推進計画の{fy}の進捗を回答する様式です。DX Trackerが作成しました。"
         f"黄色のセル（見出しに「{INPUT_MARK}」とある列）だけを入力し、"
         "Excelブック（.xlsx）のまま保存して返送してください。"),
        (KPI_SHEET,
         f"指標ごとに{fy}の実績値と備考を入力します。数値は 1,234 のように入力してください"
         "（全角数字や「1,234件」のような単位付き、約1,900、12万、▲12 も読み取れます）。"
         "まだ分からない場合は空欄のままにしてください（空欄は0とは扱いません）。"),
        ("", "報告範囲が「部局分」の指標は、全部局の合計が指標の値になります。"
             "この部局の分だけを入力してください。"),
        (MEASURE_SHEET,
         "施策ごとに進捗状況を一覧（順調 / 概ね順調 / やや遅れ / 遅れ / 完了 / 未着手）から選び、"
         "取組実績・課題・今後の対応方針を入力します。セル内の改行は Alt+Enter です。"),
        (PROPOSAL_SHEET,
         "目標値の修正を提案する場合だけ、指標コード・年度・修正後の目標値・理由を1行に1件"
         "入力します。本部で採否を判断します。"),
        ("してはいけないこと",
         "A列のコードや灰色・白のセルを変更しないでください（取込時にエラーになります）。"
         "数式は使わず、値を入力してください。シート名を変えたりシートを削除したりしないでください。"),
        ("してもよいこと",
         "行の並べ替え・非表示、列幅や行の高さの変更は構いません。"
         "ほかの部局の行を貼り付けても取り込まれません（エラーになります）。"),
        ("シートの保護",
         "誤操作を防ぐため、パスワードなしでシートを保護しています（セキュリティのためでは"
         "ありません）。保護を解除して入力欄以外を変更すると、取込時にエラーになります。"),
    ]


EXAMPLES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (f"記入例（{KPI_SHEET}シート）", (
        ("指標コード", "P01-K1"),
        ("指標名", "電子申請対応手続数(累計)"),
        ("単位", "件"),
        ("実績値" + INPUT_MARK, "1,234"),
        ("備考" + INPUT_MARK, "3月末時点の見込み値"),
    )),
    (f"記入例（{MEASURE_SHEET}シート）", (
        ("施策コード", "P01-M1"),
        ("進捗状況" + INPUT_MARK, "概ね順調"),
        ("取組実績" + INPUT_MARK, "電子申請の対象手続を120件拡大した。"),
        ("課題" + INPUT_MARK, "添付書類の電子化が進んでいない。"),
        ("今後の対応方針" + INPUT_MARK, "添付書類の省略を所管課と協議する。"),
    )),
    (f"記入例（{PROPOSAL_SHEET}シート）", (
        ("指標コード" + INPUT_MARK, "P01-K1"),
        ("年度" + INPUT_MARK, "令和5年度"),
        ("修正後の目標値（提案）" + INPUT_MARK, "5,800"),
        ("修正の理由" + INPUT_MARK, "国の制度改正により対象手続が増えたため。"),
    )),
)


# --------------------------------------------------------------------------- cell text

# What XML 1.0 cannot hold (control characters other than tab, LF and CR; lone surrogates;
# U+FFFE/U+FFFF). Writers refuse them or smuggle them in as "_x0007_"; we remove them.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel and every xlsx reader decode "_xHHHH_" in cell text, so writers store a literal one
# escaped (XlsxWriter does it for us); it counts against the cell's length limit.
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


@dataclass(frozen=True)
class CleanText:
    text: str
    removed_control: bool
    truncated: bool


def normalise_newlines(text: str) -> str:
    # Excel's line break inside a cell is LF; a CR does not survive XML parsing anyway.
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Escaping makes "_x0041_" (7 characters) 13 long: text up to this length fits a cell anyway.
_SURELY_FITS = EXCEL_CELL_LIMIT * 7 // 13


def blank_if_space(text: str) -> str:
    """Text of nothing but spaces and line breaks counts as blank: a typed one is a slip, and
    not every program keeps it (openpyxl, which people's scripts use, saves it as blank)."""
    return "" if not text.strip() else text


def clean_text(text: str) -> CleanText:
    """Text as it can live in a cell: characters XML cannot hold removed, LF line breaks,
    at most Excel's 32,767 characters (counted as stored, escapes included)."""
    if len(text) <= _SURELY_FITS and "\r" not in text and not _ILLEGAL_XML.search(text):
        return CleanText(blank_if_space(text), False, False)  # the usual case, made quick
    cleaned, count = _ILLEGAL_XML.subn("", text)
    cleaned = blank_if_space(normalise_newlines(cleaned))
    excess = len(escape_cell_text(cleaned)) - EXCEL_CELL_LIMIT
    truncated = excess > 0
    while excess > 0:  # escapes make the stored text longer than the text itself
        cleaned = cleaned[: len(cleaned) - excess]
        excess = len(escape_cell_text(cleaned)) - EXCEL_CELL_LIMIT
    return CleanText(cleaned, count > 0, truncated)


def escape_cell_text(text: str) -> str:
    """A literal "_x0041_" as stored in the file (OOXML ST_Xstring), "_x005F_x0041_"."""
    return _ESCAPE_LIKE.sub(r"_x005F_\1", text)


def number_text(number: float | int) -> str:
    """The text of a number cell, the same whoever wrote it: 5300.0 → "5300", 44.1 → "44.1"."""
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number) if isinstance(number, float) else str(number)


def cell_text(value: object) -> str:
    """A cell's content as text, for comparisons and text fields (blank is "")."""
    if value is None:
        return ""
    if isinstance(value, str):
        return normalise_newlines(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


# --------------------------------------------------------------------------- metadata

Record = list[str]


def trimmed(record: Iterable[object]) -> Record:
    """A metadata record as strings without trailing blanks (readers pad rows with "")."""
    values = [cell_text(v) for v in record]
    while values and values[-1] == "":
        values.pop()
    return values


DATA_PIECE = 16_000  # characters; even if every one were escaped it would fit a cell


def encode_data(data: Mapping[str, object]) -> list[str]:
    """The table contents as JSON pieces for the metadata sheet.

    Spaces are written as \\u0020 (compact separators leave none outside strings): a piece of
    nothing but spaces would not be kept as space by openpyxl, and line breaks and tabs are
    escaped by JSON anyway, so no piece can lose its whitespace on the way.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace(" ", "\\u0020")
    return [text[i: i + DATA_PIECE] for i in range(0, len(text), DATA_PIECE)] or [""]


def decode_data(pieces: Iterable[str]) -> Any:
    """Inverse of `encode_data`; raises ValueError on malformed data (JSON of any shape: the
    reader checks it, catching TypeError, KeyError and the like)."""
    return json.loads("".join(pieces))


def checksum(records: Iterable[Sequence[object]]) -> str:
    """SHA-256 over the metadata records (not security: a guard against edits and slips)."""
    payload = json.dumps([trimmed(r) for r in records], ensure_ascii=False,
                         separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- cell formats

# XlsxWriter format properties of the few kinds of cell a return has.
_CELL = {"text_wrap": True, "valign": "top", "border": 1, "border_color": "#A6A6A6"}
FORMATS: dict[str, dict[str, object]] = {
    "header": {**_CELL, "bold": True, "bg_color": "#" + HEADER_FILL, "valign": "vcenter"},
    "locked_text": _CELL,
    "input_text": {**_CELL, "bg_color": "#" + INPUT_FILL, "locked": False},
    "title": {"bold": True, "font_size": 14},
    "heading": {"bold": True, "text_wrap": True, "valign": "top"},
    "plain": {"text_wrap": True, "valign": "top"},
    "example": {**_CELL, "bg_color": "#" + INPUT_FILL},
    "fix_text": {**_CELL, "bg_color": "#" + FIX_FILL, "locked": False},
    "remark": {**_CELL, "bg_color": "#" + FIX_FILL, "bold": True},
    "meta": {},
}


def number_format(is_input: bool, decimals: int, fix: bool = False) -> dict[str, object]:
    """#,##0 with as many decimals as the figure has (44.1 shows as 44.1, 40.0 as 40.0)."""
    base = FORMATS["fix_text" if fix else "input_text" if is_input else "locked_text"]
    places = min(decimals, 10)
    return {**base, "num_format": "#,##0" + ("." + "0" * places if places else "")}
