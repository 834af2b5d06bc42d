"""A throwaway PostgreSQL cluster for the tests and benchmarks: initdb + pg_ctl in a temporary
folder, a free port, durability off (throwaway data), stopped and removed at the end.

    with PgCluster() as pg:                          # ~1 s: initdb + start
        pg.create_database("tmpl")                   # filled once ...
        url = pg.create_database("t1", template="tmpl")   # ... then ~30 ms a copy (file_copy)

The binaries come from `$PG_BINDIR`, `pg_ctl` on PATH, `pg_config --bindir`, or the newest
/usr/lib/postgresql/*/bin (Debian's `postgresql` package keeps them off PATH); `find_bindir()`
is None where there are none (the tests are then skipped, except where
DXTRACKER_REQUIRE_POSTGRES=1, as in CI). As root, PostgreSQL refuses to run: the server then
runs as an unprivileged user ($DXTRACKER_PG_USER, else `postgres`, which the Debian package
creates, else `nobody`) through subprocess's own setuid (no su or runuser). Its folder is in
the system's temporary folder, which that user can reach (pytest's tmp_path is not: 0700).
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["PgCluster", "PgClusterError", "database_name", "find_bindir"]

REQUIRE_ENV = "DXTRACKER_REQUIRE_POSTGRES"
PASSWORD_ROLE = "dxt_with_password"  # the one role not trusted: it logs in with a password
NEEDED = ("initdb", "pg_ctl", "postgres")
FAST_SETTINGS = {
    # Throwaway data: durability off for speed. Never on a real server.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "listen_addresses": "'127.0.0.1'",
    "max_connections": "100",
    "log_min_messages": "warning",
}


class PgClusterError(RuntimeError):
    pass


def database_name(url: str) -> str:
    """The database a URL of `PgCluster.url` names (for `PgCluster.execute(sql, name)`)."""
    return url.split("?")[0].rsplit("/", 1)[1]


def _has_all(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) for name in NEEDED)


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path)) or (0,)


def find_bindir() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres, or None."""
    candidates: list[Path] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(Path(os.path.realpath(found)).parent)  # follow /usr/local/bin links
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                 timeout=10, check=True).stdout.strip()
            candidates += [Path(out)] if out else []
        except (OSError, subprocess.SubprocessError):
            pass
    for pattern in ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/usr/local/pgsql/bin"):
        candidates += [Path(p) for p in sorted(glob.glob(pattern), key=_version_key, reverse=True)]
    return next((bindir for bindir in candidates if _has_all(bindir)), None)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _base_dir() -> str | None:
    """Where the cluster lives: memory (/dev/shm) where there is one. Each test creates and
    drops a database, hundreds of files each time: on a disk mounted with `discard` that took
    ~0.5 s a test here, in memory ~30 ms."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


def _server_user() -> pwd.struct_passwd | None:
    """The user the server runs as: None when we are not root (it runs as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in (os.environ.get("DXTRACKER_PG_USER"), "postgres", "nobody"):
        try:
            if name:
                return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PgClusterError("running as root and no unprivileged user (postgres, nobody) exists")


class PgCluster:
    """One throwaway cluster; `superuser` is the bootstrap role (trust, no password). With
    `ssl`, the server also offers TLS on TCP with a self-signed certificate (`ca_file`)."""

    def __init__(self, *, ssl: bool = False, settings: dict[str, str] | None = None,
                 base_dir: str | None = None) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise PgClusterError("no PostgreSQL binaries (initdb, pg_ctl, postgres) found")
        self.bindir = bindir
        self.superuser = "postgres"
        self.ssl = ssl
        self.settings = {**FAST_SETTINGS, **(settings or {})}
        self.user = _server_user()
        self.base_dir = base_dir or _base_dir()  # on disk for the benchmarks: as SQLite's file
        self.root = Path()
        self.port = 0
        self._running = False

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    @property
    def ca_file(self) -> Path:
        return self.root / "server.crt"

    def _run(self, args: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, Any] = {}
        env = dict(os.environ, LC_ALL="C", LANG="C")
        env.pop("PGDATA", None)
        if self.user is not None:
            kwargs.update(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
            env.update(HOME=str(self.root), USER=self.user.pw_name, LOGNAME=self.user.pw_name)
        proc = subprocess.run(args, capture_output=True, text=True, env=env, cwd=self.root,
                              timeout=120, stdin=subprocess.DEVNULL, check=False, **kwargs)
        if check and proc.returncode != 0:
            log = (self.root / "server.log")
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PgClusterError(f"{' '.join(args)} failed ({proc.returncode}):\n"
                                 f"{proc.stdout}\n{proc.stderr}\n{tail}")
        return proc

    def _chown(self, path: Path) -> None:
        if self.user is not None:
            os.chown(path, self.user.pw_uid, self.user.pw_gid)

    def start(self) -> PgCluster:
        try:
            return self._start()
        except BaseException:
            self.stop()  # nothing left behind: server stopped, folder removed
            raise

    def _start(self) -> PgCluster:
        self.root = Path(tempfile.mkdtemp(prefix="dxt-pg-", dir=self.base_dir))
        self._chown(self.root)
        self.socket_dir.mkdir()
        self._chown(self.socket_dir)
        atexit.register(self.stop)
        self._run([str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", self.superuser,
                   "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"])
        if self.ssl:
            self._make_certificate()
        with (self.datadir / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(f"{k} = {v}" for k, v in self._config().items()) + "\n")
        hba = self.datadir / "pg_hba.conf"  # one role that must give its password (over TCP)
        hba.write_text(f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        for _attempt in range(5):  # the port picked may be taken in between: retry
            self.port = _free_port()
            proc = self._run([str(self.bindir / "pg_ctl"), "-D", str(self.datadir),
                              "-l", str(self.root / "server.log"), "-w", "-t", "60", "-s",
                              "-o", f"-p {self.port} -k {self.socket_dir}", "start"], check=False)
            if proc.returncode == 0:
                self._running = True
                return self
        raise PgClusterError(f"could not start the server: {proc.stderr}")

    def _config(self) -> dict[str, str]:
        if not self.ssl:
            return self.settings
        return {**self.settings, "ssl": "on", "ssl_cert_file": f"'{self.ca_file}'",
                "ssl_key_file": f"'{self.root / 'server.key'}'"}

    def _make_certificate(self) -> None:
        key = self.root / "server.key"
        # EC P-256 (~10x faster to make than RSA); the SAN lets sslmode=verify-full check it.
        subprocess.run(["openssl", "req", "-x509", "-nodes", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", str(key), "-out", str(self.ca_file)],
                       check=True, capture_output=True, timeout=60)
        os.chmod(key, 0o600)  # the server refuses a key others may read
        self._chown(key)
        self._chown(self.ca_file)

    def stop(self) -> None:
        if self._running:
            self._run([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate",
                       "-w", "-s", "stop"], check=False)
            self._running = False
        if self.root != Path():
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = Path()
        atexit.unregister(self.stop)

    def __enter__(self) -> PgCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, dbname: str = "postgres", *, user: str | None = None,
            tcp: bool = False, query: str = "") -> str:
        """A SQLAlchemy URL: over the Unix socket (no TCP, no TLS), or over TCP."""
        who = user or self.superuser
        if tcp:
            return f"postgresql+psycopg://{who}@127.0.0.1:{self.port}/{dbname}" + (
                f"?{query}" if query else "")
        return (f"postgresql+psycopg://{who}@/{dbname}?host={self.socket_dir}&port={self.port}"
                + (f"&{query}" if query else ""))

    def execute(self, sql: str, dbname: str = "postgres") -> None:
        """Administrative SQL in autocommit (CREATE DATABASE cannot run in a transaction)."""
        import psycopg

        dsn = f"host={self.socket_dir} port={self.port} dbname={dbname} user={self.superuser}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]  # our own literal SQL

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """CREATE DATABASE (a copy of `template`, file by file: ~30 ms against ~100 ms through
        the WAL, PostgreSQL 15's default); its URL. A template must have no open connection
        (dispose its engine first)."""
        sql = f'CREATE DATABASE "{name}"'
        if template:
            sql += f' TEMPLATE "{template}"'
            sql += " STRATEGY file_copy" if self._version() >= 15 else ""  # before 15: the only way
        self.execute(sql)
        return self.url(name)

    def _version(self) -> int:
        if not hasattr(self, "_major"):
            out = self._run([str(self.bindir / "postgres"), "--version"]).stdout
            self._major = _version_key(out)[0]
        return self._major

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
