"""`make demo-team`: the team setting end to end on a real PostgreSQL server, then cleaned up.

1. Start PostgreSQL in a temporary directory (harness/postgres.py; Debian's package is installed
   first when its binaries are missing) and two sandboxes: the `dev` and `prod` Tavus accounts.
2. Create the stacks `dev` and `prod` of a project copy on `postgres:///` (credentials in PG*
   variables), each with its own `replicaId`.
3. `pulumi up` dev; `python -m providers promote --from dev --to prod` (the plan, nothing
   written), then with `--apply`; `python -m providers drift --stack prod`.
4. Show the rows of the state table, and stop and remove everything.

Unlike `make demo`, nothing keeps running afterwards: the server, the sandboxes and the state
live in temporary directories for the length of the demo.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from harness.postgres import PostgresServer, start_postgres
from harness.project import make_project
from harness.pulumi import CommandResult, PulumiStack
from sandbox.testing import SandboxProcess, start_sandbox

API_KEY = "sandbox-demo-team-key"  # a local sandbox's key: protects nothing
STORYTELLER_KEY = "sk-demo-team-not-a-real-key"
REPLICAS = {"dev": "r-dev-demo01", "prod": "r-prod-demo1"}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="demo-team-") as tmp, start_postgres() as server:
        root = Path(tmp)
        print(f"== PostgreSQL listening on 127.0.0.1:{server.port} (data in {server.root}) ==", flush=True)
        accounts = {name: _sandbox(root, name) for name in REPLICAS}
        try:
            return _demo(root, server, accounts)
        finally:
            for account in accounts.values():
                account.stop()
    return 1  # reached only if a context manager swallowed an exception


def _sandbox(root: Path, name: str) -> SandboxProcess:
    return start_sandbox(root / f"{name}.db", [API_KEY], log_path=root / f"{name}-sandbox.log")


def _demo(root: Path, server: PostgresServer, accounts: dict[str, SandboxProcess]) -> int:
    project = make_project(root)
    stacks = {name: _stack(project, root, server, name, account) for name, account in accounts.items()}
    env = stacks["dev"].env
    print(f"backend: PULUMI_BACKEND_URL={env['PULUMI_BACKEND_URL']} with PGHOST, PGPORT, PGUSER, "
          "PGPASSWORD, PGDATABASE, PGSSLMODE set\n", flush=True)
    _show("pulumi up --stack dev", stacks["dev"].up())
    steps = [
        ["promote", "--from", "dev", "--to", "prod"],
        ["promote", "--from", "dev", "--to", "prod", "--apply"],
        ["drift", "--stack", "prod"],
    ]
    for args in steps:
        if _product(project, env, args) != 0:
            return 1
    _show_table(server)
    print("\nAll of it (server, sandboxes, state) is removed now.")
    return 0


def _stack(
    project: Path, root: Path, server: PostgresServer, name: str, account: SandboxProcess
) -> PulumiStack:
    stack = PulumiStack(
        project_dir=project, state_dir=root / "state", stack=name,
        backend_url=server.backend_url(), extra_env=server.env,
    )
    stack.init()
    stack.set_config("tavus:apiKey", account.api_key, secret=True)
    stack.set_config("tavus:baseUrl", account.url)
    stack.set_config("storytellerOpenaiApiKey", STORYTELLER_KEY, secret=True)
    stack.set_config("replicaId", REPLICAS[name])
    return stack


def _show(title: str, result: CommandResult) -> None:
    print(f"$ {title}\n{result.stdout}", flush=True)


def _product(project: Path, env: dict[str, str], args: list[str]) -> int:
    print(f"$ python -m providers {' '.join(args)}", flush=True)
    result = subprocess.run([sys.executable, "-m", "providers", *args], cwd=project, env=env, check=False)
    print(f"(exit code {result.returncode})\n", flush=True)
    return result.returncode


def _show_table(server: PostgresServer) -> None:
    print("== rows of the state table pulumi_state (the DIY layout, one row per file) ==")
    for blob in server.state().blobs():
        print(f"  {blob.key:<80} {len(blob.content):>7} bytes")


if __name__ == "__main__":
    sys.exit(main())
