"""A KPI of the snapshot turned into what a chart plots: points per part, in plain floats.

x positions: 0 is the baseline year (現状), 1… the plan's fiscal years. A composite KPI
("県設置:165 他機関:179") has one part per label; every other KPI has one part labelled "".
Ranges are plotted at the edge they aim at (the low end when higher is better) with the range
drawn as a bar; bounds as ▲/▼; targets in words are not plotted but written at their year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

WHOLE = "（全体）"  # a plain figure in a KPI whose other figures are broken down


@dataclass(frozen=True)
class TargetPoint:
    x: int
    y: float
    text: str
    kind: str  # number, range, at_least, at_most
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class RevisionMark:
    x: int
    old: float
    new: float
    old_text: str


@dataclass
class PartSeries:
    label: str
    baseline: float | None = None
    baseline_text: str = ""
    targets: list[TargetPoint] = field(default_factory=list)
    revisions: list[RevisionMark] = field(default_factory=list)
    actuals: list[tuple[int, float, str, int]] = field(default_factory=list)  # x, y, text, fy

    def target_line(self) -> tuple[list[float], list[float]]:
        """From the baseline through the targets: the path the plan intends."""
        points: list[tuple[float, float]] = (
            [(0, self.baseline)] if self.baseline is not None else [])
        points += [(t.x, t.y) for t in self.targets]
        return [p[0] for p in points], [p[1] for p in points]

    def actual_line(self) -> tuple[list[float], list[float]]:
        return [a[0] for a in self.actuals], [a[1] for a in self.actuals]

    def actual_texts(self) -> list[str]:
        return [a[2] for a in self.actuals]

    def actual_years(self) -> list[int]:
        return [a[3] for a in self.actuals]


@dataclass
class KpiSeries:
    years: list[int]
    parts: list[PartSeries]
    word_targets: list[tuple[int, str]] = field(default_factory=list)

    @property
    def has_numbers(self) -> bool:
        return any(p.baseline is not None or p.targets or p.actuals for p in self.parts)

    def values(self) -> list[float]:
        """Every plotted figure (range ends and old targets included)."""
        found: list[float] = []
        for p in self.parts:
            found += [p.baseline] if p.baseline is not None else []
            found += [t.y for t in p.targets]
            found += [v for t in p.targets for v in (t.low, t.high) if v is not None]
            found += [r.old for r in p.revisions] + [a[1] for a in p.actuals]
        return found

    @property
    def has_revisions(self) -> bool:
        return any(p.revisions for p in self.parts)


def _parts(value: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    """label → part value; a plain figure is one part labelled ""."""
    if value is None:
        return {}
    if value["kind"] == "composite":
        return {p["label"]: p["value"] for p in value["parts"]}
    return {"": value}


def kpi_series(kpi: Mapping[str, Any], baseline_year: int | None = None,
               fiscal_years: list[int] | None = None) -> KpiSeries:
    years_in_plan = fiscal_years or sorted(int(fy) for fy in kpi["targets"])
    years = [baseline_year or kpi["baseline_fiscal_year"], *years_in_plan]
    figures = [kpi["baseline"], *(kpi["targets"].get(str(fy)) for fy in years_in_plan),
               *(kpi["actuals"].get(str(fy)) for fy in years_in_plan)]
    # Words are written, not plotted: they make no line of their own.
    labels = list(dict.fromkeys(label for f in figures for label, value in _parts(f).items()
                                if value["kind"] != "words"))
    composite = any(f is not None and f["kind"] == "composite" for f in figures)
    parts = {label: PartSeries(WHOLE if composite and label == "" else label)
             for label in labels or [""]}
    series = KpiSeries(years, list(parts.values()))
    for label, value in _parts(kpi["baseline"]).items():
        if value["kind"] == "number":
            parts[label].baseline, parts[label].baseline_text = value["value"], value["display"]
    for x, fy in enumerate(years_in_plan, start=1):
        _add_targets(series, parts, x, kpi["targets"].get(str(fy)), kpi.get("direction"))
        for label, value in _parts(kpi["actuals"].get(str(fy))).items():
            if value["kind"] == "number":
                parts[label].actuals.append((x, value["value"], value["display"], fy))
    for revision in kpi.get("revisions", []):
        _add_revision(parts, years, revision)
    return series


def _add_targets(series: KpiSeries, parts: dict[str, PartSeries], x: int,
                 target: Mapping[str, Any] | None, direction: str | None) -> None:
    for label, value in _parts(target).items():
        kind = value["kind"]
        if kind == "words":
            series.word_targets.append((x, f"{label}: {value['text']}" if label
                                        else value["text"]))
        elif kind == "number":
            parts[label].targets.append(TargetPoint(x, value["value"], value["display"], kind))
        elif kind == "range":
            edge = value["high"] if direction == "lower" else value["low"]
            parts[label].targets.append(TargetPoint(x, edge, value["display"], kind,
                                                    value["low"], value["high"]))
        elif kind in ("at_least", "at_most"):
            parts[label].targets.append(TargetPoint(x, value["value"], value["display"], kind))


def _add_revision(parts: dict[str, PartSeries], years: list[int],
                  revision: Mapping[str, Any]) -> None:
    old, new = revision.get("old_value"), revision.get("new_value")
    if revision["fiscal_year"] not in years or old is None or new is None:
        return
    x = years.index(revision["fiscal_year"])
    for label, old_part in _parts(old).items():
        new_part = _parts(new).get(label)
        if label in parts and new_part and old_part["kind"] == new_part["kind"] == "number":
            parts[label].revisions.append(
                RevisionMark(x, old_part["value"], new_part["value"], old_part["display"]))
