"""`dxtracker server setup`: the roles of a server database, its privileges and row-level
security policies (policies.py says which and why), and which person writes for which
department. Run by the database's administrator, as often as wanted: what is there already is
left as it is (and said so), what is missing is created, and the privileges and policies are
set to exactly what this version of DX Tracker needs (run it again after `db upgrade`).

All of it is one transaction under the exclusive write lock: it waits for the saves under way
and a second setup waits for the first. Roles, though, belong to the whole server (cluster),
not to one database: two DX Tracker databases on one server share them, and a person given a
department may write its rows in both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from dxtracker.errors import DxTrackerError
from dxtracker.store import policies
from dxtracker.store.audit import record_change
from dxtracker.store.db import Database
from dxtracker.store.lookup import all_departments, find_department
from dxtracker.store.models import Base, Department, DepartmentRole
from dxtracker.store.policies import HEADQUARTERS_ROLE, USER_ROLE
from dxtracker.store.postgres import id_sequences

HEADQUARTERS_WORDS = ("headquarters", "本部")


class ServerSetupRefused(DxTrackerError):
    """`server setup` cannot run here (a file, a role without the rights, an unknown name)."""


@dataclass(frozen=True)
class SetupStep:
    """One line of what setup did: `created` (or changed), else it was there already."""

    created: bool
    ja: str
    en: str


@dataclass
class SetupReport:
    database: str
    steps: list[SetupStep] = field(default_factory=list)

    def add(self, created: bool, ja: str, en: str) -> None:
        self.steps.append(SetupStep(created, ja, en))

    @property
    def created(self) -> list[SetupStep]:
        return [step for step in self.steps if step.created]


@dataclass(frozen=True)
class MemberGrant:
    """`--grant USER=DEPT`: the login role `user` writes for `department` (None: headquarters)."""

    user: str
    department: str | None


def parse_grant(given: str) -> MemberGrant:
    user, sep, department = given.partition("=")
    if not sep or not user.strip() or not department.strip():
        raise ServerSetupRefused(
            f"「{given}」は 利用者=部局 の形ではありません（例: suzuki=商工労働部、sato=本部）。",
            f"'{given}' is not USER=DEPARTMENT (e.g. suzuki=D03, sato=headquarters).")
    department = department.strip()
    return MemberGrant(user.strip(), None if department.lower() in HEADQUARTERS_WORDS
                       else department)


def not_a_server(name: str) -> ServerSetupRefused:
    return ServerSetupRefused(
        f"{name}: server setup は PostgreSQL のデータベースのためのものです。SQLiteの"
        "ファイルにはロールも行単位のセキュリティもありません（ファイルの保護はフォルダの権限で）。",
        f"{name}: server setup is for a PostgreSQL database. A SQLite file has no roles "
        "or row-level security (a file is protected by its folder's permissions).")


def department_role_name(code: str) -> str:
    """`dxt_dept_` and the department's code, lower case, letters, digits and _ only: a name
    an administrator can type without quotes (`GRANT dxt_dept_d03 TO suzuki`)."""
    return policies.DEPARTMENT_ROLE_PREFIX + re.sub(r"[^a-z0-9_]", "_", code.lower())


def setup_server(db: Database, grants: Sequence[MemberGrant] = ()) -> SetupReport:
    """Create what is missing, set the privileges and policies, give people their roles."""
    if not db.is_server:
        raise not_a_server(db.name)
    report = SetupReport(db.name)
    with db.transaction(exclusive=True) as session:
        conn = session.connection()
        _check_rights(conn, db.name)
        people = [(g, _role_of(session, g)) for g in grants]
        _check_people(conn, people)
        _ensure_role(conn, report, USER_ROLE, None, "DX Trackerの利用者すべて・読み取り",
                     "every DX Tracker user, reading")
        _ensure_role(conn, report, HEADQUARTERS_ROLE, USER_ROLE, "本部・すべてを書き込み",
                     "headquarters, writes everything")
        for role, department in _map_departments(session, report):
            _ensure_role(conn, report, role, USER_ROLE, f"{department.name}の利用者",
                         f"the users of {department.name}")
        _apply_privileges(conn, report)
        _apply_policies(conn, report)
        for grant, role in people:
            _grant_member(session, report, grant, role)
    return report


def _check_rights(conn: Connection, name: str) -> None:
    user, superuser, createrole, owner = conn.execute(text(
        "SELECT current_user, r.rolsuper, r.rolcreaterole, pg_has_role(current_user, "
        "c.relowner, 'USAGE') FROM pg_roles r, pg_class c WHERE r.rolname = current_user "
        "AND c.oid = to_regclass('meta')")).one()
    if not (superuser or createrole):
        raise ServerSetupRefused(
            f"{name}: 利用者 {user} にはロールを作成する権限（CREATEROLE）がありません。サーバーの"
            f"管理者（IT担当）に ALTER ROLE {user} CREATEROLE を依頼してから、もう一度実行して"
            "ください。何も変更していません。",
            f"{name}: the role {user} may not create roles (CREATEROLE). Ask the server's "
            f"administrator (IT) for ALTER ROLE {user} CREATEROLE and run it again; nothing "
            "was changed.")
    if not owner:
        raise ServerSetupRefused(
            f"{name}: 利用者 {user} はこのデータベースの表の所有者ではありません。`dxtracker init` "
            "でデータベースを作成した管理者の利用者で実行してください。何も変更していません。",
            f"{name}: the role {user} does not own this database's tables. Run it as the "
            "administrator who created the database with `dxtracker init`; nothing was changed.")


def _role_of(session: Session, grant: MemberGrant) -> str:
    if grant.department is None:
        return HEADQUARTERS_ROLE
    department = find_department(session, grant.department)
    mapped = session.get(DepartmentRole, department.id)
    return mapped.role_name if mapped is not None else department_role_name(department.code)


def _check_people(conn: Connection, people: list[tuple[MemberGrant, str]]) -> None:
    known = set(conn.execute(text("SELECT rolname FROM pg_roles")).scalars())
    missing = sorted({grant.user for grant, _ in people if grant.user not in known})
    if missing:
        raise ServerSetupRefused(
            f"サーバーに利用者（ログインロール）{'、'.join(missing)} がありません。サーバーの管理者"
            "（IT担当）に作成を依頼してから、もう一度実行してください。何も変更していません。",
            f"the server has no login role {', '.join(missing)}. Ask the server's "
            "administrator (IT) to create it and run it again; nothing was changed.")


def _ensure_role(conn: Connection, report: SetupReport, role: str, member_of: str | None,
                 ja: str, en: str) -> None:
    quote = conn.dialect.identifier_preparer.quote
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if exists is None:
        conn.execute(text(f"CREATE ROLE {quote(role)} NOLOGIN"))
    report.add(exists is None, f"ロール {role}（{ja}）", f"role {role} ({en})")
    if member_of is not None and not _is_member(conn, role, member_of):
        conn.execute(text(f"GRANT {quote(member_of)} TO {quote(role)}"))


def _is_member(conn: Connection, role: str, group: str) -> bool:
    return bool(conn.execute(text("SELECT pg_has_role(:r, :g, 'MEMBER')"),
                             {"r": role, "g": group}).scalar())


def _map_departments(session: Session, report: SetupReport) -> list[tuple[str, Department]]:
    """A role for every current department (and those mapped before), recorded in
    `department_role` with an audit entry; (role, department) in the plan's order."""
    mapped = {row.department_id: row.role_name
              for row in session.scalars(select(DepartmentRole))}
    taken = set(mapped.values())
    for department in all_departments(session):
        if department.id in mapped:
            continue
        role = department_role_name(department.code)
        if role in taken:  # two codes that differ only in what the name leaves out
            role = f"{role}_{department.id}"
        taken.add(role)
        mapped[department.id] = role
        session.add(DepartmentRole(department_id=department.id, role_name=role))
        record_change(session, source="cli", source_detail="server setup",
                      entity="department_role", entity_code=department.code, field="role",
                      old=None, new=role, department=department.name)
        report.add(True, f"部局 {department.name} のロールを {role} と記録",
                   f"department {department.name} recorded as role {role}")
    session.flush()
    departments = session.scalars(select(Department).where(Department.id.in_(mapped))
                                  .order_by(Department.sort_order))
    return [(mapped[department.id], department) for department in departments]


def _secured_state(conn: Connection) -> list[tuple[object, ...]]:
    """Privileges (tables, their columns, sequences) and row security of the schema's tables,
    to tell whether setup changed any."""
    return list(conn.execute(text(
        "SELECT c.relname, c.relacl::text, c.relrowsecurity, (SELECT array_agg(a.attname || "
        "'=' || a.attacl::text ORDER BY a.attname) FROM pg_attribute a WHERE a.attrelid = "
        "c.oid AND a.attacl IS NOT NULL) FROM pg_class c WHERE c.relkind IN ('r', 'S') AND "
        "c.relnamespace = current_schema()::regnamespace ORDER BY c.relname")).all())


def _apply_privileges(conn: Connection, report: SetupReport) -> None:
    quote = conn.dialect.identifier_preparer.quote
    before = _secured_state(conn)
    tables = Base.metadata.sorted_tables
    for statement in policies.grants(tables, quote):
        conn.execute(text(statement))
    sequences = {table.name: sequence for table, sequence in id_sequences(conn, tables).items()}
    for statement in policies.sequence_grants(sequences, quote):
        conn.execute(text(statement))
    for table in policies.SECURED_TABLES:
        conn.execute(text(f"ALTER TABLE {quote(table)} ENABLE ROW LEVEL SECURITY"))
    changed = _secured_state(conn) != before
    report.add(changed, f"権限と行単位のセキュリティ（{len(tables)}表、うち部局が書き込む"
               f"{len(policies.SECURED_TABLES)}表）",
               f"privileges and row-level security ({len(tables)} tables, "
               f"{len(policies.SECURED_TABLES)} of them written by departments)")


def _apply_policies(conn: Connection, report: SetupReport) -> None:
    quote = conn.dialect.identifier_preparer.quote
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    function = conn.execute(text("SELECT to_regprocedure(:f)"),
                            {"f": f"{policies.MY_DEPARTMENTS}()"}).scalar()
    conn.execute(text(policies.my_departments_function(schema, quote)))
    report.add(function is None, f"関数 {policies.MY_DEPARTMENTS}()（利用者の部局）",
               f"function {policies.MY_DEPARTMENTS}() (the user's departments)")
    existing = set(conn.execute(text(
        "SELECT tablename || '.' || policyname FROM pg_policies WHERE schemaname = "
        "current_schema()")).scalars())
    for policy in policies.policies(quote):
        # dropped and created again: it is then exactly this version's
        conn.execute(text(f"DROP POLICY IF EXISTS {quote(policy.name)} ON {quote(policy.table)}"))
        conn.execute(text(policy.sql))
        report.add(f"{policy.table}.{policy.name}" not in existing,
                   f"ポリシー {policy.name}（表 {policy.table}）",
                   f"policy {policy.name} (table {policy.table})")


def _grant_member(session: Session, report: SetupReport, grant: MemberGrant, role: str) -> None:
    conn = session.connection()
    quote = conn.dialect.identifier_preparer.quote
    member = _is_member(conn, grant.user, role)
    if not member:
        conn.execute(text(f"GRANT {quote(role)} TO {quote(grant.user)}"))
        record_change(session, source="cli", source_detail="server setup",
                      entity="server_role", entity_code=grant.user, field="member_of",
                      old=None, new=role)
    whom = "本部" if grant.department is None else grant.department
    whom_en = "headquarters" if grant.department is None else grant.department
    report.add(not member, f"利用者 {grant.user} → {role}（{whom}）",
               f"user {grant.user} -> {role} ({whom_en})")
