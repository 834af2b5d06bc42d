"""Headquarters' review of the returns: 受付 → 確認中 → 承認 or 差戻し, and back.

Who may do what. Every action below is headquarters' (the policy office): the app offers them
only in headquarters mode (on the submission tracker, itself a headquarters page) and the
command line is headquarters' tool; on a server database the review tables are writable by the
headquarters role only (store/policies.py). A merge moves a return by itself
(`note_merged_in`), in the merge's own transaction.

    action      from                       to        needs
    start       受付, 差戻し               確認中
    accept      受付, 確認中               承認      (locks the figures: figures/locks.py)
    send_back   受付, 確認中, 差戻し       差戻し    a reason, and a reason per item chosen
    reopen      承認                       確認中    a reason (unlocks the figures)
    merge       (none), 差戻し             受付      any merged return: the department answered
                確認中                     受付      when it changed a figure (review again)

Accepting a return that was sent back needs a fresh look first (start), so that a send-back is
never closed by a slip. Sending back again replaces the items of the last send-back.

Each action is one transaction with audit entries (entity "return_review", code "D04/2022",
field "state" old → new with the reason; field "item:P03-K2" for each item's reason). A merge's
move is kept as a `MergeChange` too, so that undoing the merge puts the state back.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from dxtracker.errors import DxTrackerError
from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.returns.collect import reported_items, resolve_department
from dxtracker.returns.review_info import ReviewInfo, info_of, review_row, state_label
from dxtracker.store.audit import current_user, now, record_change
from dxtracker.store.db import Database
from dxtracker.store.models import AuditEntry, Department, MergeChange, ReturnReview, ReviewItem

ENTITY = "return_review"
# action → (states it may start from, state it leads to)
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "start": (("received", "sent_back"), "under_review"),
    "accept": (("received", "under_review"), "accepted"),
    "send_back": (("received", "under_review", "sent_back"), "sent_back"),
    "reopen": (("accepted",), "under_review"),
}
ACTION_LABELS = {"start": ("確認の開始", "start the review"), "accept": ("承認", "accept"),
                 "send_back": ("差戻し", "send back"), "reopen": ("再開", "reopen")}
NEEDS_REASON = ("send_back", "reopen")


class ReviewRefused(DxTrackerError):
    """A review action that is not possible now (wrong state, no reason, unknown item)."""


def entity_code(department: Department, fiscal_year: int) -> str:
    return f"{department.code}/{fiscal_year}"


def change_review(db: Database, department: str | Department, fiscal_year: int, action: str,
                  *, reason: str = "", items: Mapping[str, str] | None = None,
                  source: str = "cli") -> ReviewInfo:
    """Do `action` on the department's return for the year, in one transaction."""
    with db.transaction() as session:
        return change_review_in(session, department, fiscal_year, action, reason=reason,
                                items=items, source=source)


def change_review_in(session: Session, department: str | Department, fiscal_year: int,
                     action: str, *, reason: str = "", items: Mapping[str, str] | None = None,
                     source: str = "cli") -> ReviewInfo:
    """`change_review` inside the caller's transaction (the send-back writes its workbook in
    the same one, so that a workbook that cannot be written leaves the state as it was)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown review action {action!r}; one of {sorted(ACTIONS)}")
    dept = resolve_department(session, department)
    review = _review_for(session, dept, fiscal_year, action)
    reason = reason.strip()
    if action in NEEDS_REASON and not reason:
        raise ReviewRefused(
            f"{ACTION_LABELS[action][0]}には理由が必要です。理由を入力してください。",
            f"A reason is needed to {ACTION_LABELS[action][1]}.")
    chosen = _items(session, dept, items or {}) if action == "send_back" else []
    at, by = now(), current_user()
    old = review.state
    review.state, review.state_at, review.state_by, review.note = \
        ACTIONS[action][1], at, by, reason
    code = entity_code(dept, fiscal_year)
    if action == "accept":
        review.accepted_at, review.accepted_by = at, by
    if action == "reopen":
        _audit(session, source, code, dept, "accepted_at", review.accepted_at, None, reason)
        review.accepted_at, review.accepted_by = None, ""
    if action == "send_back":
        _send_back(session, review, chosen, reason, source, code)
    _audit(session, source, code, dept, "state", old, review.state, reason)
    session.flush()
    return info_of(review)


def _review_for(session: Session, dept: Department, fiscal_year: int,
                action: str) -> ReturnReview:
    review = review_row(session, dept.id, fiscal_year)
    year = fiscal_year_label(fiscal_year)
    if review is None:
        raise ReviewRefused(
            f"{dept.name}の{year}の回答はまだ統合されていません。回答を統合してから確認してください。",
            f"No return of {dept.name} for FY{fiscal_year} has been merged yet.")
    allowed, _ = ACTIONS[action]
    if review.state not in allowed:
        hint_ja, hint_en = _hint(review.state, action)
        raise ReviewRefused(
            f"{dept.name}の{year}の回答は「{state_label(review.state)}」のため、"
            f"{ACTION_LABELS[action][0]}はできません。{hint_ja}",
            f"The return of {dept.name} for FY{fiscal_year} is "
            f"{state_label(review.state, 'en')}: it cannot be {_past(action)}. {hint_en}")
    return review


def _past(action: str) -> str:
    return {"start": "put under review", "accept": "accepted", "send_back": "sent back",
            "reopen": "reopened"}[action]


def _hint(state: str, action: str) -> tuple[str, str]:
    if state == "sent_back" and action == "accept":
        return ("部局から修正した回答が届いて統合すると受付に戻ります。差戻しを取り下げて承認する"
                "場合は、先に確認を開始してください。",
                "It returns to received when the department's fix is merged; to accept it "
                "anyway, start the review first.")
    if state == "accepted":
        return ("変更するには、先に再開してください（理由が必要です）。",
                "Reopen it first (with a reason).")
    return "", ""


def _items(session: Session, dept: Department, items: Mapping[str, str]
           ) -> list[tuple[str, str, str]]:
    """(entity, code, reason) of each item chosen; each must be a row of the return."""
    reported = reported_items(session, dept)
    chosen = []
    for typed, reason in items.items():
        code = unicodedata.normalize("NFKC", typed).strip().upper()
        if code in reported.kpi_units:
            entity = "kpi_actual"
        elif code in reported.measure_codes:
            entity = "measure_progress"
        else:
            raise ReviewRefused(
                f"「{code}」は{dept.name}の回答の項目（指標・施策）ではありません。",
                f"'{code}' is not an item (KPI or measure) of the return of {dept.name}.")
        if not reason.strip():
            raise ReviewRefused(f"項目 {code} の差戻しの理由が空欄です。",
                                f"The reason for item {code} is blank.")
        chosen.append((entity, code, reason.strip()))
    return chosen


def _send_back(session: Session, review: ReturnReview, chosen: list[tuple[str, str, str]],
               reason: str, source: str, code: str) -> None:
    review.sent_back_at, review.sent_back_by = review.state_at, review.state_by
    review.sent_back_reason = reason
    review.send_backs += 1
    review.items.clear()
    for entity, item_code, item_reason in chosen:
        review.items.append(ReviewItem(entity=entity, item_code=item_code, reason=item_reason))
        _audit(session, source, code, review.department, f"item:{item_code}", None,
               item_reason, reason)


def _audit(session: Session, source: str, code: str, dept: Department, field: str,
           old: object, new: object, reason: str) -> None:
    record_change(session, source=source, entity=ENTITY, entity_code=code, field=field,
                  old=old, new=new, department=dept.name, reason=reason)


# --------------------------------------------------------------------------- merges


_review = ReturnReview.__table__.c
# Built once, with bound parameters, run on the session's connection (plain rows and Core
# statements, no ORM unit of work): a merge notes every file it merges.
_STATE = select(_review.id, _review.state, _review.state_at, _review.state_by).where(
    _review.department_id == bindparam("department_id"),
    _review.fiscal_year == bindparam("fiscal_year"))
_MOVE = (update(ReturnReview.__table__).where(_review.id == bindparam("review_id"))
         .values(state="received", state_at=bindparam("at"), state_by=bindparam("by"),
                 note=""))


def note_merged_in(session: Session, run_id: int, import_id: int, department: Department,
                   fiscal_year: int, file_name: str, *, changed: bool) -> None:
    """A return of `department` for the year was merged (in the caller's transaction): it is
    received (受付) unless it is already, or accepted (a merge that reaches the writer changed
    nothing accepted: the preview refuses a file that would), or under review and nothing
    changed. The old state is kept for undo."""
    connection = session.connection()
    row = connection.execute(_STATE, {"department_id": department.id,
                                      "fiscal_year": fiscal_year}).first()
    old = row.state if row is not None else None
    if old in ("received", "accepted") or (old == "under_review" and not changed):
        return
    at, by = now(), current_user()
    connection.execute(MergeChange.__table__.insert(), {
        "run_id": run_id, "import_id": import_id, "entity": ENTITY, "item_code": "",
        "fiscal_year": fiscal_year, "department_id": department.id, "field": "state",
        "old_value": old, "new_value": "received", "resolution": "change",
        "row_created": row is None, "old_updated_at": row.state_at if row else None,
        "old_updated_by": row.state_by if row else ""})
    if row is None:
        connection.execute(ReturnReview.__table__.insert(), {
            "department_id": department.id, "fiscal_year": fiscal_year, "state": "received",
            "state_at": at, "state_by": by})
    else:
        connection.execute(_MOVE, {"review_id": row.id, "at": at, "by": by})
    # The entry `record_change` would add, as a Core insert like the merge writer's own
    # (an ORM object here would cost the merge a unit-of-work flush per file).
    connection.execute(AuditEntry.__table__.insert(), {
        "at": at, "user": by, "department": department.name, "source": "return",
        "source_detail": file_name, "entity": ENTITY,
        "entity_code": entity_code(department, fiscal_year), "field": "state",
        "old_value": old, "new_value": "received", "reason": ""})


def undo_review_changes_in(session: Session, changes: list[MergeChange], detail: str) -> None:
    """Put back the review states a merge run moved (undo, in its transaction); refuses when a
    person has moved one since (undoing would silently throw their review away)."""
    reviews = [review_row(session, c.department_id, c.fiscal_year) for c in changes]
    for change, review in zip(changes, reviews, strict=True):
        current = review.state if review is not None else None
        if current != change.new_value:
            name = change.department.name
            raise ReviewRefused(
                f"{name}の{fiscal_year_label(change.fiscal_year)}の回答は、統合の後に確認状況が"
                f"「{state_label(current or '')}」に変わっています。取り消すとその確認が失われるため、"
                "取り消しませんでした（何も変更していません）。",
                f"The review of {name}'s return for FY{change.fiscal_year} has moved on since "
                f"the merge ({state_label(current or '', 'en')}); nothing was undone.")
    for change, review in zip(changes, reviews, strict=True):
        assert review is not None  # checked above
        record_change(session, source="undo", source_detail=detail, entity=ENTITY,
                      entity_code=entity_code(change.department, change.fiscal_year),
                      field="state", old=review.state, new=change.old_value,
                      department=change.department.name)
        if change.row_created:
            session.delete(review)
            continue
        review.state = change.old_value or "received"
        review.state_at = change.old_updated_at or datetime.now().replace(microsecond=0)
        review.state_by = change.old_updated_by
