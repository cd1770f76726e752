"""Pulumi's "stack is currently locked" error, explained for a team (docs/team.md, "Concurrent pipelines").

On DIY backends (file://, postgres://, s3://) `pulumi up`, `refresh` and `destroy` take a lock per
stack and never wait for one (`pkg/backend/diy/lock.go`): the second of two pipelines fails at
once with

    error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end
    or delete the lock file with `pulumi cancel`.
      postgres:///.pulumi/locks/organization/P/S/ID.json: created by ci@runner-7 (pid 4242) at 2026-...

Its advice to `pulumi cancel` is dangerous while the other run is alive (that run's state writes
then race with the next run). The commands that run `pulumi` for the user rephrase it: who holds
the lock, and the two safe ways on.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

_LOCKED = "the stack is currently locked by"
_HOLDER = re.compile(r": created by (?P<user>.*)@(?P<host>\S+) \(pid (?P<pid>\d+)\) at (?P<at>\S+)\s*$", re.M)


def explain_lock_error(output: str, args: Sequence[str]) -> str | None:
    """The explanation when `output` (of `pulumi ARGS`) is Pulumi's lock error, else None."""
    if _LOCKED not in output:
        return None
    stack = _stack_of(args)
    holders = [
        f"{m['user']}@{m['host']} (pid {m['pid']}) since {m['at']}" for m in _HOLDER.finditer(output)
    ] or ["an unknown run"]
    return (
        f"stack {stack} is locked by another run: {', '.join(holders)}. Pulumi runs one update, "
        "refresh or destroy per stack at a time and does not wait. If that run is still going (another "
        "pipeline), let it finish, then run this again: it continues from the state that run leaves. "
        "If it is dead (a cancelled CI job, a lost runner), run "
        f"`python -m providers recover --stack {stack}` (with --force-unlock when it ran on another "
        "machine); do not `pulumi cancel` a run that may still be alive."
    )


def _stack_of(args: Sequence[str]) -> str:
    for flag, value in itertools.pairwise(args):
        if flag in ("--stack", "-s"):
            return value
    return "(the selected stack)"
