"""A throwaway PostgreSQL server for the team tests, `make demo-team` and `make bench`.

    with start_postgres(durable=False) as server:
        stack = PulumiStack(..., backend_url=server.backend_url, extra_env=server.env)

It runs Debian's server binaries (`initdb` + `pg_ctl`) on a fresh data directory in a temporary
directory: loopback TCP only (no Unix socket), a free port, password (SCRAM) authentication, a
login role `pulumi` owning the database `tavus_state`. PostgreSQL refuses to run as root, so when
this process is root the server runs as the `postgres` system user (made by Debian's package), or
`nobody` when there is none. Credentials reach Pulumi and the product through the libpq variables
(`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`) with a bare
`postgres://` backend URL, as docs/team.md recommends: the password is in no URL, command line or
state. Everything is removed on exit.

`python -m harness.postgres ensure` installs the server binaries when they are missing
(`apt-get install postgresql`, as root): `.ci/run` and the fixture call it.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from providers.cli._postgres_state import PostgresState

DEBIAN_PACKAGE = "postgresql"
DEBIAN_BIN_ROOT = Path("/usr/lib/postgresql")
DATABASE = "tavus_state"
ROLE = "pulumi"
ADMIN = "tavus_admin"
TABLE = "pulumi_state"
# Tests trade durability for speed (a crash loses the server anyway); the benchmark keeps the
# defaults, so its numbers are those of a real server.
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
_PORT_ATTEMPTS = 5


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing and cannot be installed here; the message says how."""


def server_binaries() -> Path | None:
    """The directory holding `initdb` and `pg_ctl`: PATH first, then Debian's newest version."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    candidates = sorted(
        (p for p in DEBIAN_BIN_ROOT.glob("*/bin") if (p / "initdb").exists() and (p / "pg_ctl").exists()),
        key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.name)],
    )
    return candidates[-1] if candidates else None


def ensure_binaries() -> Path:
    """`server_binaries()`, installing Debian's `postgresql` package first when they are missing."""
    found = server_binaries()
    if found is not None:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise PostgresUnavailable(
            "PostgreSQL server binaries (initdb, pg_ctl) not found; install them, e.g. "
            f"`sudo apt-get update && sudo apt-get install -y {DEBIAN_PACKAGE}`, or put them on PATH"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env)
    install = ["apt-get", "install", "-y", "--no-install-recommends", DEBIAN_PACKAGE]
    subprocess.run(install, check=True, env=env)
    found = server_binaries()
    if found is None:
        raise PostgresUnavailable(f"`apt-get install {DEBIAN_PACKAGE}` gave no initdb/pg_ctl")
    return found


@dataclass(frozen=True)
class PostgresServer:
    """A running server: where it listens and the credentials of the `pulumi` role."""

    root: Path
    port: int
    password: str
    admin_password: str
    database: str = DATABASE
    user: str = ROLE

    @property
    def env(self) -> dict[str, str]:
        """The libpq variables that lib/pq (in Pulumi) and psycopg (in the product) both read."""
        return {
            "PGHOST": "127.0.0.1",
            "PGPORT": str(self.port),
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGDATABASE": self.database,
            "PGSSLMODE": "disable",  # loopback; lib/pq's default is `require`
        }

    def backend_url(self, table: str = TABLE) -> str:
        """The Pulumi backend URL: no credentials in it, they come from `env`."""
        return "postgres:///" if table == TABLE else f"postgres:///?table={table}"

    def state(self, table: str = TABLE) -> PostgresState:
        """The product's reader of this server's state table (the one `recover` uses)."""
        return PostgresState(self.backend_url(table), env=self.env)

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """A superuser connection (autocommit), for statistics and planting test rows."""
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=ADMIN, password=self.admin_password,
            dbname=self.database, sslmode="disable", autocommit=True,
        )


@contextlib.contextmanager
def start_postgres(*, durable: bool = True, log: Path | None = None) -> Iterator[PostgresServer]:
    """Start a server in a new temporary directory; stop it and remove everything on exit."""
    binaries = ensure_binaries()
    owner = _server_user()
    root = Path(tempfile.mkdtemp(prefix="tavus-pg-"))
    try:
        if owner is not None:
            os.chown(root, owner.pw_uid, owner.pw_gid)
        admin_password = secrets.token_hex(16)
        _initdb(binaries, root, owner, admin_password, {} if durable else FAST_SETTINGS)
        port = _start(binaries, root, owner)
        try:
            server = PostgresServer(root, port, secrets.token_hex(16), admin_password)
            _create_role_and_database(server)
            yield server
        finally:
            if log is not None:
                with contextlib.suppress(OSError):
                    shutil.copy(root / "server.log", log)
            _run(owner, [str(binaries / "pg_ctl"), "-D", str(root / "data"), "-m", "fast", "-w", "stop"])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _server_user() -> pwd.struct_passwd | None:
    """Who runs the server: None for this process's own user, unless that is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresUnavailable("running as root and there is no `postgres` or `nobody` user to run the server")


def _run(owner: pwd.struct_passwd | None, argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    command = list(argv) if owner is None else ["runuser", "-u", owner.pw_name, "--", *argv]
    return subprocess.run(command, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)


def _initdb(
    binaries: Path, root: Path, owner: pwd.struct_passwd | None, password: str, settings: dict[str, str]
) -> None:
    pwfile = root / "admin-password"
    pwfile.write_text(password)
    pwfile.chmod(0o600)
    if owner is not None:
        os.chown(pwfile, owner.pw_uid, owner.pw_gid)
    result = _run(owner, [
        str(binaries / "initdb"), "-D", str(root / "data"), "-U", ADMIN, f"--pwfile={pwfile}",
        "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync",
    ])
    pwfile.unlink()
    if result.returncode != 0:
        raise RuntimeError(f"initdb failed:\n{result.stdout}\n{result.stderr}")
    lines = {"listen_addresses": "'127.0.0.1'", "unix_socket_directories": "''", **settings}
    with open(root / "data" / "postgresql.conf", "a") as conf:
        conf.writelines(f"{key} = {value}\n" for key, value in lines.items())


def _start(binaries: Path, root: Path, owner: pwd.struct_passwd | None) -> int:
    """Start on a free port (retrying when another process takes it first); returns the port."""
    failure = ""
    for _ in range(_PORT_ATTEMPTS):
        port = _free_port()
        result = _run(owner, [
            str(binaries / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "server.log"),
            "-o", f"-p {port}", "-w", "-t", "120", "start",
        ])
        if result.returncode == 0:
            return port
        failure = (root / "server.log").read_text(errors="replace")[-3000:]
        if "could not bind" not in failure and "Address already in use" not in failure:
            break
    raise RuntimeError(f"PostgreSQL did not start; its log:\n{failure}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _create_role_and_database(server: PostgresServer) -> None:
    """A login role that owns the state database, as a team's DBA would set it up."""
    with psycopg.connect(
        host="127.0.0.1", port=server.port, user=ADMIN, password=server.admin_password,
        dbname="postgres", sslmode="disable", autocommit=True,
    ) as admin:
        admin.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(server.user), sql.Literal(server.password)
            )
        )
        admin.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(server.database), sql.Identifier(server.user)
            )
        )


def main(argv: Sequence[str]) -> int:
    if argv != ["ensure"]:
        print("usage: python -m harness.postgres ensure", file=sys.stderr)
        return 2
    try:
        print(f"postgres: server binaries in {ensure_binaries()}")
    except PostgresUnavailable as exc:
        print(f"postgres: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
