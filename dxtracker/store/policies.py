"""Row-level security on a PostgreSQL server: which tables hold department data, who may write
what, and the SQL of the privileges and policies `dxtracker server setup` applies (roles.py).

Roles (cluster-wide, NOLOGIN groups; people's login roles are made members):
`dxt_user` (every DX Tracker user: reads everything), `dxt_headquarters` (writes everything),
`dxt_dept_<code>` (one per department, named in the table `department_role`).

Three kinds of table:
- **department rows** (`kpi_actual`, `measure_progress`): each row belongs to one department.
  A department inserts rows of its own department for items it reports (the parent KPI or
  measure names it: a subquery), and updates rows of its own department. UPDATE is "design B":
  every row is visible to UPDATE (`USING (true)`) and the new row must be one's own
  (`WITH CHECK`), so writing another department's row is an error at the database (42501), not
  an update of 0 rows that an app would read as "changed by someone else". The column-level
  UPDATE grant leaves out the columns saying whose and which row it is (department, item, year,
  id): without that, WITH CHECK alone would let a department take a row over by rewriting them.
- **department appends** (`audit_entry`): a department adds the audit entries of its own writes
  (its own department's name), and changes none.
- **headquarters' tables**: everything else (the plan, targets, merges, reviews, the history of
  returns). Departments read them; only headquarters writes them. Privileges alone keep the
  departments out (no row of theirs to allow), so no policy is needed there, and a merge by
  headquarters keeps COPY for them (PostgreSQL refuses COPY FROM under row-level security).
`department_role` itself is written by the owner only.

Who belongs to which department: `dxt_my_departments()`, the departments whose role the current
user is a member of. It joins pg_roles and passes the oid (a name of a dropped role would make
`pg_has_role` raise and break every write), and pins its search_path with the table's schema:
otherwise a user's own temporary table named `department_role` would be read instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Table

USER_ROLE = "dxt_user"
HEADQUARTERS_ROLE = "dxt_headquarters"
DEPARTMENT_ROLE_PREFIX = "dxt_dept_"
MY_DEPARTMENTS = "dxt_my_departments"
ROLE_TABLE = "department_role"

# `= ANY ((SELECT f()))` would be read as "= ANY (subquery)" (integer = integer[]): the cast
# makes it an array; the sub-select makes the function run once a statement, not once a row.
_MINE = f"department_id = ANY ((SELECT {MY_DEPARTMENTS}())::integer[])"


@dataclass(frozen=True)
class DepartmentRows:
    """A table whose rows belong to one department each (see the module docstring)."""

    table: str
    reported: str  # SQL: the department reports / is responsible for that item
    fixed: tuple[str, ...]  # never updated by a department: whose and which row it is

    def insert_check(self) -> str:
        return f"{_MINE} AND ({self.reported})"

    def update_check(self) -> str:
        return _MINE  # the fixed columns cannot change, so the parent still names it


DEPARTMENT_ROWS = (
    DepartmentRows(
        "kpi_actual",
        "EXISTS (SELECT 1 FROM kpi k WHERE k.id = kpi_actual.kpi_id AND k.all_departments_report)"
        " OR EXISTS (SELECT 1 FROM kpi_reporting_department r WHERE r.kpi_id = kpi_actual.kpi_id"
        " AND r.department_id = kpi_actual.department_id)",
        ("id", "kpi_id", "fiscal_year", "department_id")),
    DepartmentRows(
        "measure_progress",
        "EXISTS (SELECT 1 FROM measure m WHERE m.id = measure_progress.measure_id"
        " AND m.all_departments) OR EXISTS (SELECT 1 FROM measure_department r"
        " WHERE r.measure_id = measure_progress.measure_id"
        " AND r.department_id = measure_progress.department_id)",
        ("id", "measure_id", "fiscal_year", "department_id")),
)
# Audit entries name their department by its name (what the log shows).
DEPARTMENT_APPENDS = {
    "audit_entry": f"department IN (SELECT d.name FROM department d WHERE d.id = ANY "
                   f"((SELECT {MY_DEPARTMENTS}())::integer[]))",
}
SECURED_TABLES = tuple(rule.table for rule in DEPARTMENT_ROWS) + tuple(DEPARTMENT_APPENDS)


def updatable_columns(table: Table, rule: DepartmentRows) -> list[str]:
    """The columns a department may UPDATE: all but the fixed ones, taken from the table as it
    is, so that a column added later (a row's `version`) is granted without a change here."""
    return [column.name for column in table.columns if column.name not in rule.fixed]


def my_departments_function(schema: str, quote: Callable[[str], str]) -> str:
    """The function the policies call (module docstring: why the join and the search_path)."""
    return (
        f"CREATE OR REPLACE FUNCTION {quote(schema)}.{MY_DEPARTMENTS}() RETURNS integer[]"
        " LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $body$"
        f" SELECT coalesce(array_agg(dr.department_id), '{{}}') FROM {quote(schema)}."
        f"{ROLE_TABLE} dr JOIN pg_catalog.pg_roles r ON r.rolname = dr.role_name"
        " WHERE pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER') $body$")


@dataclass(frozen=True)
class Policy:
    table: str
    name: str
    sql: str  # CREATE POLICY …


def policies(quote: Callable[[str], str]) -> list[Policy]:
    """Every policy of the secured tables: read for all, everything for headquarters, and the
    department's own writes."""
    users, hq = quote(USER_ROLE), quote(HEADQUARTERS_ROLE)
    found: list[Policy] = []

    def add(table: str, suffix: str, body: str) -> None:
        name = f"{table}_{suffix}"
        found.append(Policy(table, name, f"CREATE POLICY {quote(name)} ON {quote(table)} {body}"))

    for table in SECURED_TABLES:
        add(table, "read", f"FOR SELECT TO {users} USING (true)")
        add(table, "headquarters", f"FOR ALL TO {hq} USING (true) WITH CHECK (true)")
    for rule in DEPARTMENT_ROWS:
        add(rule.table, "department_insert",
            f"FOR INSERT TO {users} WITH CHECK ({rule.insert_check()})")
        add(rule.table, "department_update",
            f"FOR UPDATE TO {users} USING (true) WITH CHECK ({rule.update_check()})")
    for table, check in DEPARTMENT_APPENDS.items():
        add(table, "department_insert", f"FOR INSERT TO {users} WITH CHECK ({check})")
    return found


def grants(tables: list[Table], quote: Callable[[str], str]) -> list[str]:
    """GRANT statements: read for every user, write for headquarters, the departments' own
    writes on the secured tables; preceded by a REVOKE, so that the privileges are exactly
    these however they were before."""
    users, hq = quote(USER_ROLE), quote(HEADQUARTERS_ROLE)
    rows = {rule.table: rule for rule in DEPARTMENT_ROWS}
    statements = []
    for table in tables:
        name = quote(table.name)
        statements += [f"REVOKE ALL ON {name} FROM {users}, {hq}",
                       f"GRANT SELECT ON {name} TO {users}"]
        if table.name == ROLE_TABLE:
            continue  # the owner's alone
        statements.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {name} TO {hq}")
        if table.name in rows:
            columns = ", ".join(quote(c) for c in updatable_columns(table, rows[table.name]))
            statements += [f"GRANT INSERT ON {name} TO {users}",
                           f"GRANT UPDATE ({columns}) ON {name} TO {users}"]
        elif table.name in DEPARTMENT_APPENDS:
            statements.append(f"GRANT INSERT ON {name} TO {users}")
    return statements


def sequence_grants(sequences: dict[str, str], quote: Callable[[str], str]) -> list[str]:
    """USAGE of the id sequences ({table: sequence}): for the tables a role inserts into."""
    statements = []
    for table, sequence in sequences.items():
        # pg_get_serial_sequence gives the name already quoted where it must be
        statements.append(f"REVOKE ALL ON SEQUENCE {sequence} FROM {quote(USER_ROLE)}")
        statements.append(f"GRANT USAGE ON SEQUENCE {sequence} TO {quote(HEADQUARTERS_ROLE)}")
        if table in SECURED_TABLES:
            statements.append(f"GRANT USAGE ON SEQUENCE {sequence} TO {quote(USER_ROLE)}")
    return statements
