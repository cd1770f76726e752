"""`recover --stack NAME`: make a stack usable again after a `pulumi up` was killed (docs/reliability.md).

A run killed by SIGKILL, the OOM killer or a cancelled CI job can leave three things behind:

1. On a `file://` backend, an empty or cut-off `.attrs` sidecar. The Go blob library behind the
   file backend writes each file atomically (temp file + rename) but writes its metadata sidecar
   in place; killed mid-write, every later command fails with `failed to load checkpoint: EOF`.
   The sidecar holds only a content type and an MD5 that Pulumi never checks, and a missing one is
   read as defaults, so a sidecar that is not valid JSON is removed. (`?metadata=skip` on the
   backend URL stops them being written at all; see docs/reliability.md.)
2. The dead run's lock. It is removed with `pulumi cancel`, but only once we know the run is dead:
   a lock taken on this machine by a live process is never removed; one taken elsewhere is removed
   only with --force-unlock, since we cannot see whether that run is still going. Locks are read
   from a `file://` directory or, for a `postgres://` backend, from its state table
   (`_postgres_state`); on other backends (s3://, Pulumi Cloud) only --force-unlock removes them.
3. Pending creates, cleared with `pulumi refresh --clear-pending-creates`. The next `pulumi up`
   then adopts, by name, each persona the killed run created without recording it.

Exit 0 when the stack is ready for `pulumi up`, 1 otherwise (nothing is removed on a refusal).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from providers.cli._postgres_state import PostgresState, is_postgres_url, lock_prefix
from providers.cli._pulumi import CliError, project_name, pulumi_json, stream_pulumi

EXIT_READY, EXIT_ERROR = 0, 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("recover", help="make a stack usable again after a killed `pulumi up`")
    parser.add_argument("--stack", required=True, help="the stack to recover")
    parser.add_argument("--root", type=Path, default=Path("."), help="project root (default: .)")
    parser.add_argument(
        "--force-unlock",
        action="store_true",
        help="remove locks this command cannot prove dead (taken on another machine, or on a "
        "backend other than file:// and postgres://); only when no other `pulumi` run can be using the stack",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        recover(args.root, args.stack, force_unlock=args.force_unlock)
    except CliError as exc:
        print(f"recover: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"recover: stack {args.stack} is ready; run `pulumi up --stack {args.stack}`")
    return EXIT_READY


@dataclass(frozen=True)
class Lock:
    """One lock of a DIY backend (a file, or a row of a postgres:// table), as the Pulumi CLI writes it."""

    pid: int
    hostname: str
    username: str
    timestamp: str

    def describe(self) -> str:
        return f"{self.username}@{self.hostname} (pid {self.pid}) at {self.timestamp}"

    def held_by_live_local_process(self) -> bool:
        return self.hostname == socket.gethostname() and _process_alive(self.pid)


def recover(root: Path, stack: str, *, force_unlock: bool = False) -> None:
    url = backend_url(root)
    backend = file_backend_path(url, root)
    if backend is not None:
        for removed in repair_sidecars(backend):
            print(f"recover: removed cut-off metadata file {removed} (left by a killed write)")
        _unlock(root, stack, stack_locks(backend, project_name(root), stack), force_unlock)
    elif is_postgres_url(url):
        _unlock(root, stack, postgres_locks(url, project_name(root), stack), force_unlock)
    elif force_unlock:
        _cancel(root, stack)
    else:
        print(
            "recover: this backend's locks cannot be read from here, so none were removed; if "
            "`pulumi up` says the stack is locked by a run that is dead, run recover with --force-unlock"
        )
    pending = pending_operations(root, stack)
    if pending:
        print(f"recover: {len(pending)} pending operation(s) in the state; refreshing to clear them")
        stream_pulumi(root, "refresh", "--yes", "--clear-pending-creates", "--stack", stack)


def backend_url(root: Path) -> str:
    """The backend URL `pulumi` itself uses here (PULUMI_BACKEND_URL, Pulumi.yaml or `pulumi login`)."""
    return str(pulumi_json(root, "whoami", "--verbose", "--json").get("url") or "")


def file_backend_path(url: str, root: Path) -> Path | None:
    """The directory a `file://` backend URL names (`~` and relative forms as Pulumi reads them)."""
    if not url.startswith("file://"):
        return None
    parts = urlsplit(url)
    location = parts.netloc + parts.path  # file://~/x and file://./x keep their start in netloc
    if location.startswith("~"):
        return Path(location).expanduser()
    path = Path(location)
    return path if path.is_absolute() else (root / path).resolve()


def repair_sidecars(backend: Path) -> list[Path]:
    """Remove `.attrs` sidecars that are not valid JSON; returns what was removed."""
    removed = []
    for sidecar in sorted((backend / ".pulumi").rglob("*.attrs")):
        try:
            json.loads(sidecar.read_bytes())
        except ValueError:
            sidecar.unlink()
            removed.append(sidecar)
    return removed


def stack_locks(backend: Path, project: str, stack: str) -> list[Lock]:
    directory = backend / ".pulumi" / "locks" / "organization" / project / stack
    return [_read_lock(path) for path in sorted(directory.glob("*.json"))]


def postgres_locks(url: str, project: str, stack: str) -> list[Lock]:
    """The stack's lock rows in a `postgres://` backend's state table."""
    rows = PostgresState(url).blobs(lock_prefix(project, stack))
    return [_parse_lock(blob.key, blob.content) for blob in rows]


def _read_lock(path: Path) -> Lock:
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise CliError(f"{path}: unreadable lock file ({type(exc).__name__})") from None
    return _parse_lock(str(path), content)


def _parse_lock(where: str, content: bytes) -> Lock:
    try:
        fields = json.loads(content)
        return Lock(
            pid=int(fields["pid"]),
            hostname=str(fields["hostname"]),
            username=str(fields.get("username", "?")),
            timestamp=str(fields.get("timestamp", "?")),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise CliError(f"{where}: not a Pulumi lock file ({type(exc).__name__}); remove it by hand") from None


def _unlock(root: Path, stack: str, locks: list[Lock], force_unlock: bool) -> None:
    if not locks:
        return
    for lock in locks:
        if lock.held_by_live_local_process():
            raise CliError(
                f"stack {stack} is in use by a live process: lock taken by {lock.describe()}; "
                "wait for that run to end (or stop it), then run recover again"
            )
    foreign = [lock for lock in locks if lock.hostname != socket.gethostname()]
    if foreign and not force_unlock:
        raise CliError(
            f"stack {stack} is locked from another machine: {foreign[0].describe()}; "
            "if that run is dead (a cancelled job, a lost machine), run recover again with --force-unlock"
        )
    for lock in locks:
        print(f"recover: removing the lock of a dead run: {lock.describe()}")
    _cancel(root, stack)


def _cancel(root: Path, stack: str) -> None:
    stream_pulumi(root, "cancel", "--yes", "--stack", stack)


def pending_operations(root: Path, stack: str) -> list[Any]:
    document = pulumi_json(root, "stack", "export", "--stack", stack)
    return list((document.get("deployment") or {}).get("pending_operations") or [])


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True
