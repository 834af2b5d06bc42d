"""Returns as people really fill them: every variation of the corpus (returns_corpus.py) gets
its outcome, the dry run foresees it, and docs/returns-as-filled.md shows the same table."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from dxtracker.returns.apply import MergeReport, merge_returns
from dxtracker.returns.collect import resolve_department
from dxtracker.returns.current import EMPTY_KPI, EMPTY_PROGRESS, kpi_states, progress_states
from dxtracker.store.connect import open_database
from dxtracker.store.db import Database
from dxtracker.store.models import RevisionProposal
from tests.core.corpus_tools import DEPT, FY, SOFFICE, Maker
from tests.core.returns_corpus import BY_KEY, CORPUS, Variation, markdown_table
from tests.core.test_merge_support import cli, without_stamps
from tests.helpers import snapshot

DOC = Path(__file__).resolve().parents[2] / "docs" / "returns-as-filled.md"


def stored(db: Database, key: str) -> str | None:
    """What the database holds for "[部局:]CODE.field" (商工労働部 by default), FY2022."""
    department_name, _, rest = key.rpartition(":")
    code, field = rest.split(".")
    with db.read() as session:
        department = resolve_department(session, department_name or DEPT).id
        if "-K" in code:
            state = kpi_states(session, department, FY, [code]).get(code, EMPTY_KPI)
            return state.value if field == "actual" else state.note
        progress = progress_states(session, department, FY, [code]).get(code, EMPTY_PROGRESS)
        return getattr(progress, field)  # type: ignore[no-any-return]


def content(db: Database) -> tuple[dict, list]:
    """What the returns can change: the plan's figures and progress, and the proposals."""
    with db.read() as session:
        proposals = [tuple(r) for r in session.execute(select(
            RevisionProposal.kpi_id, RevisionProposal.fiscal_year, RevisionProposal.value))]
    return without_stamps(snapshot(db)), sorted(proposals)


def run(variation: Variation, db: Database, folder: Path,
        monkeypatch: pytest.MonkeyPatch) -> tuple[MergeReport, MergeReport, tuple, list[Path]]:
    """The variation's files, a dry run of them and the real merge; the content before."""
    if variation.soffice and SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt install libreoffice-calc")
    if variation.setup is not None:
        variation.setup(db)
    files = variation.build(Maker(db, folder / "returns"))
    if variation.patch is not None:
        variation.patch(monkeypatch, files)
    before = content(db)
    dry = merge_returns(db, files, dry_run=True, fiscal_year=FY)
    assert content(db) == before, "a dry run wrote to the database"
    real = merge_returns(db, files, fiscal_year=FY, backup_dir=folder / "backups")
    return dry, real, before, files


def messages(report: MergeReport, index: int, kind: str) -> list[str]:
    preview = report.files[index].preview
    return [p.text() for p in (preview.errors if kind == "refused" else preview.warnings)]


@pytest.mark.sqlite_only("the outcome is decided by reading the file; texts are also kept "
                         "whole on PostgreSQL (test_texts_are_kept_whole_on_every_engine)")
@pytest.mark.parametrize("variation", CORPUS, ids=[v.key for v in CORPUS])
def test_a_return_as_filled_gets_its_outcome(variation, db, tmp_path, monkeypatch):
    dry, real, before, files = run(variation, db, tmp_path, monkeypatch)
    outcomes = [f.outcome for f in real.files]
    single = {"understood": "merged", "warning": "merged", "refused": "refused"}
    assert outcomes == list(variation.outcomes or [single[variation.outcome]])
    assert [f.outcome for f in dry.files] == outcomes, "the dry run did not foresee the merge"
    judged = len(files) - 1  # the file the variation is about: the last one
    preview = dry.files[judged].preview
    if variation.outcome == "understood":
        assert not preview.errors and not preview.warnings, preview.warnings
        readings = [r.text() for f in dry.files for r in f.preview.readings]
        for fragment in variation.says:
            assert any(fragment in r for r in readings), (fragment, readings)
    else:
        found = messages(real, judged, variation.outcome)
        matching = [m for m in found if all(s in m for s in variation.says)]
        assert matching, (variation.says, found)
        assert all(m.startswith(files[judged].name) for m in found)  # the file is named
        if variation.where:
            assert any(f"{files[judged].name} {variation.where}:" in m for m in matching), found
    for key, value in variation.stored.items():
        assert stored(db, key) == value, key
    if variation.outcome == "refused" and len(files) == 1:
        assert content(db) == before, "a refused file changed the database"
    if variation.check is not None:
        variation.check(db)


@pytest.mark.parametrize("key", ["long_text", "formula_like_text", "approximate"])
def test_texts_are_kept_whole_on_every_engine(key, db, tmp_path, monkeypatch):
    variation = BY_KEY[key]
    _, real, _, _ = run(variation, db, tmp_path, monkeypatch)
    assert real.exit_code == 0
    for field, value in variation.stored.items():
        assert stored(db, field) == value, field


@pytest.mark.sqlite_only("one file, read like any other; the command line's --fy is optional")
def test_without_a_year_a_return_merges_into_the_year_it_is_for(db, tmp_path):
    path = Maker(db, tmp_path).filled({("kpi", "P03-K3", "actual"): 12}, fiscal_year=2021)
    report = merge_returns(db, [path], backup_dir=tmp_path / "backups")
    assert report.exit_code == 0
    with db.read() as session:
        department = resolve_department(session, DEPT).id
        assert kpi_states(session, department, 2021, ["P03-K3"])["P03-K3"].value == "12"


def test_the_corpus_covers_every_outcome_and_names_its_cells():
    outcomes = {v.outcome for v in CORPUS}
    assert outcomes == {"understood", "warning", "refused"}
    assert len({v.key for v in CORPUS}) == len(CORPUS)
    for variation in CORPUS:
        if variation.outcome != "understood":
            assert variation.says, f"{variation.key}: what is the user told?"
        assert variation.stored or variation.outcome == "refused", variation.key


def test_the_doc_shows_the_corpus_table():
    text = DOC.read_text(encoding="utf-8")
    assert markdown_table() in text, (
        "docs/returns-as-filled.md is out of step with tests/core/returns_corpus.py: "
        "paste markdown_table() into it")


def test_the_dry_run_on_the_command_line_says_how_figures_were_read(db_path, tmp_path):
    with open_database(db_path) as db:
        path = Maker(db, tmp_path).filled({("kpi", "P03-K3", "actual"): "約30",
                                           ("kpi", "P01-K3", "actual"): "1.2万"})
    code, out, err = cli(db_path, "return", "merge", "--dry-run", "--fy", "R4", path)
    assert code == 0, err
    assert "入力の読み取り" in out
    assert "KPI実績!J5 P03-K3: 「約30」→ 30（概数）" in out
    assert "KPI実績!J3 P01-K3: 「1.2万」→ 12,000（万＝×10,000）" in out
    assert "P03-K3 実績値（KPI実績 5行）: （空欄） → 約30" in out
    code, out, _ = cli(db_path, "return", "merge", "--dry-run", "--fy", "R5", path)
    assert code == 1 and "令和4年度の回答です（取り込む年度: 令和5年度）" in out
