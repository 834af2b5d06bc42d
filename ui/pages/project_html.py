"""HTML for the project view's header and measures, as a person reads the seed's table.

Plan content is escaped (it is data typed by people); only our own markup is trusted.
"""

from __future__ import annotations

from html import escape
from typing import Any

from ui.i18n import tr
from ui.models import full_year_label

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
RED = "#c80000"
STATUS_COLOURS = {"順調": "#1b7a1b", "概ね順調": "#1b7a1b", "完了": "#1b5fa8",
                  "やや遅れ": "#b36b00", "遅れ": RED, "未着手": "#666666"}


def status_label(status: str) -> str:
    labels = {"順調": tr("順調"), "概ね順調": tr("概ね順調"), "やや遅れ": tr("やや遅れ"),
              "遅れ": tr("遅れ"), "完了": tr("完了"), "未着手": tr("未着手")}
    return labels.get(status, status)


def circled(number: int) -> str:
    return CIRCLED[number - 1] if 0 < number <= len(CIRCLED) else f"({number})"


def text_html(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def new_mark(is_new: bool, mark: str) -> str:
    return f' <span style="color:{RED}">{escape(mark)}</span>' if is_new else ""


def header_html(project: dict[str, Any]) -> str:
    vision = project["vision"]
    picture = "".join(
        f"<tr><td valign='top'>{circled(item['number'])}</td>"
        f"<td>{text_html(item['text'])}{new_mark(item['is_new'], tr('【新】'))}</td></tr>"
        for item in project["future_picture"])
    return (
        f"<div style='color:#555'>{escape(tr('ビジョン{number}', number=vision['number']))}"
        f"　{escape(vision['title'])}</div>"
        f"<h2 style='margin:2px 0'>({project['number']}) {escape(project['title'])}</h2>"
        f"<div>{escape(tr('主管部局'))}: <b>{escape(project['lead_department'])}</b>"
        f"　<span style='color:#777'>{escape(project['code'])}</span></div>"
        f"<div style='margin-top:6px'><b>{escape(tr('概ね3年後の姿'))}</b></div>"
        f"<table cellspacing='2'>{picture}</table>"
    )


def measures_html(project: dict[str, Any], fiscal_years: list[int], current: int) -> str:
    if not project["measures"]:
        return f"<p>{escape(tr('施策がありません。'))}</p>"
    title = f"<h3 style='margin:0'>{escape(tr('主な施策'))}</h3>"
    return title + "".join(_measure(m, fiscal_years, current) for m in project["measures"])


def _measure(measure: dict[str, Any], fiscal_years: list[int], current: int) -> str:
    items = "".join(f"<li>{text_html(item)}</li>" for item in measure["items"])
    departments = tr("全部局") if measure["all_departments"] else "、".join(
        measure["departments"])
    return (
        f"<a name='{escape(measure['code'])}'></a>"
        f"<h4 style='margin:12px 0 2px 0'>{circled(measure['number'])} "
        f"{escape(measure['title'])}{new_mark(measure['is_new'], tr('【新規】'))}"
        f" <span style='color:#777;font-weight:normal'>{escape(measure['code'])}</span></h4>"
        f"<ul style='margin-top:0'>{items}</ul>"
        f"{_schedule(measure['schedule'], fiscal_years, current)}"
        f"<p><b>{escape(tr('担当部局'))}:</b> {escape(departments)}</p>"
        f"{_attention(measure)}{_progress(measure, current)}<hr>"
    )


def schedule_rows(schedule: list[dict[str, Any]], fiscal_years: list[int]
                  ) -> list[list[dict[str, Any] | None]]:
    """Lay the schedule boxes out on rows of per-year cells; overlapping boxes go below."""
    rows: list[list[dict[str, Any] | None]] = []
    for box in schedule:
        years = [i for i, fy in enumerate(fiscal_years) if box["from"] <= fy <= box["to"]]
        if not years:
            continue
        row = next((r for r in rows if all(r[i] is None for i in years)), None)
        if row is None:
            row = [None] * len(fiscal_years)
            rows.append(row)
        for i in years:
            row[i] = box
    return rows


def _schedule(schedule: list[dict[str, Any]], fiscal_years: list[int], current: int) -> str:
    head = "".join(
        f"<th bgcolor='{'#fff3c4' if fy == current else '#eeeeee'}'>"
        f"{escape(full_year_label(fy))}</th>" for fy in fiscal_years)
    body = ""
    for row in schedule_rows(schedule, fiscal_years):
        cells, i = "", 0
        while i < len(row):
            box, span = row[i], 1
            while i + span < len(row) and box is not None and row[i + span] is box:
                span += 1
            text = text_html(box["text"]) if box else ""
            cells += f"<td colspan='{span}' valign='top'>{text}</td>"
            i += span
        body += f"<tr>{cells}</tr>"
    if not body:
        body = f"<tr><td colspan='{len(fiscal_years)}'>{escape(tr('（工程の記載なし）'))}</td></tr>"
    return (f"<p style='margin-bottom:2px'><b>{escape(tr('工程'))}</b></p>"
            f"<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
            f"<tr>{head}</tr>{body}</table>")


def _attention(measure: dict[str, Any]) -> str:
    if not (measure["attention_points"] or measure["response_policy"]):
        return ""
    return (
        "<table border='1' cellspacing='0' cellpadding='4' width='100%'><tr>"
        f"<th bgcolor='#eeeeee' width='50%'>{escape(tr('施策推進にあたっての留意点'))}</th>"
        f"<th bgcolor='#eeeeee'>{escape(tr('対応方針'))}</th></tr>"
        f"<tr><td valign='top'>{text_html(measure['attention_points']) or '—'}</td>"
        f"<td valign='top'>{text_html(measure['response_policy']) or '—'}</td></tr></table>"
    )


def _progress(measure: dict[str, Any], current: int) -> str:
    entries = [p for p in measure["progress"] if p["fiscal_year"] == current]
    heading = f"<p style='margin-bottom:2px'><b>{escape(tr('{year}の進捗', year=full_year_label(current)))}</b></p>"
    if not entries:
        return heading + f"<p style='color:#666;margin-top:0'>{escape(tr('まだ報告がありません。'))}</p>"
    rows = "".join(_progress_row(p) for p in entries)
    return (heading + "<table border='1' cellspacing='0' cellpadding='4' width='100%'><tr>"
            f"<th bgcolor='#eeeeee'>{escape(tr('部局'))}</th>"
            f"<th bgcolor='#eeeeee'>{escape(tr('進捗状況'))}</th>"
            f"<th bgcolor='#eeeeee'>{escape(tr('取組実績'))}</th>"
            f"<th bgcolor='#eeeeee'>{escape(tr('課題'))}</th>"
            f"<th bgcolor='#eeeeee'>{escape(tr('今後の対応方針'))}</th></tr>{rows}</table>")


def _progress_row(entry: dict[str, Any]) -> str:
    status = entry["status"] or ""
    colour = STATUS_COLOURS.get(status, "#000000")
    return (f"<tr><td valign='top'>{escape(entry['department'])}</td>"
            f"<td valign='top' style='color:{colour}'>{escape(status_label(status)) or '—'}</td>"
            f"<td valign='top'>{text_html(entry['record'])}</td>"
            f"<td valign='top'>{text_html(entry['issues'])}</td>"
            f"<td valign='top'>{text_html(entry['next_policy'])}</td></tr>")

