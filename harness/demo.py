"""`make demo`: start the sandbox, `pulumi up` personas/ into the local `sandbox` stack.

The sandbox keeps running afterwards (`make demo-stop` ends it) and the stack stays,
so you can edit a persona file and run `pulumi preview --diff` / `pulumi up` yourself
after `source .demo/env.sh`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from harness.demo_preflight import show_preflight
from harness.pulumi import REPO_ROOT, PulumiStack, hermetic_env

# DEMO_ROOT and DEMO_PORT let tests run the demo in a project copy on a free port. The stack
# config file (Pulumi.sandbox.yaml) in that root must point tavus:baseUrl at the same port.
PROJECT_ROOT = Path(os.environ.get("DEMO_ROOT") or REPO_ROOT)
SANDBOX_PORT = int(os.environ.get("DEMO_PORT") or 8787)
DEMO_DIR = PROJECT_ROOT / ".demo"
SANDBOX_URL = f"http://127.0.0.1:{SANDBOX_PORT}"
# Keys of the local sandbox only: nothing real is protected by them.
SANDBOX_API_KEY = "sandbox-demo-key"
DEMO_SECRETS = {
    "tavus:apiKey": SANDBOX_API_KEY,
    "storytellerOpenaiApiKey": "sk-demo-storyteller-not-a-real-key",
}
PID_FILE = DEMO_DIR / "sandbox.pid"


def main(argv: list[str]) -> int:
    DEMO_DIR.mkdir(exist_ok=True)
    if argv[:1] == ["stop"]:
        stop_sandbox()
        return 0
    start_sandbox()
    stack = PulumiStack(project_dir=PROJECT_ROOT, state_dir=DEMO_DIR / "state", stack="sandbox")
    if stack.run("stack", "select", "sandbox", check=False).returncode != 0:
        stack.init()
    for key, value in DEMO_SECRETS.items():
        if stack.run("config", "get", key, "--stack", "sandbox", check=False).returncode != 0:
            stack.set_config(key, value, secret=True)
    print("== pulumi up (sandbox stack) ==", flush=True)
    result = stack.up(check=False)
    print(result.stdout, result.stderr, sep="", flush=True)
    if result.returncode != 0:
        return result.returncode
    show_personas()
    if not show_preflight(stack, SANDBOX_URL, DEMO_SECRETS["storytellerOpenaiApiKey"]):
        return 1
    write_env_file()
    print(
        "\nThe sandbox is still running and the stack is kept. Try:\n"
        "  source .demo/env.sh\n"
        "  $EDITOR personas/health-coach.yaml      # change a field\n"
        "  pulumi preview --diff                    # see exactly that field\n"
        "  pulumi up\n"
        "  make demo-stop                           # stop the sandbox"
    )
    return 0


def sandbox_is_up() -> bool:
    try:
        return httpx.get(f"{SANDBOX_URL}/_sandbox/faults", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def start_sandbox() -> None:
    if sandbox_is_up():
        return
    log = open(DEMO_DIR / "sandbox.log", "ab")  # noqa: SIM115 - handed to the detached child
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "--port",
            str(SANDBOX_PORT),
            "--db",
            str(DEMO_DIR / "sandbox.db"),
            "--api-key",
            SANDBOX_API_KEY,
        ],
        cwd=REPO_ROOT,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    PID_FILE.write_text(str(proc.pid))
    deadline = time.monotonic() + 30
    while not sandbox_is_up():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the sandbox did not start; see {DEMO_DIR / 'sandbox.log'}")
        time.sleep(0.1)  # polling a startup, not synchronising a test
    print(f"sandbox listening on {SANDBOX_URL} (log: .demo/sandbox.log)", flush=True)


def stop_sandbox() -> None:
    """SIGTERM the demo's sandbox and return once it has exited (its port is free again)."""
    if not PID_FILE.exists():
        return
    pid = int(PID_FILE.read_text())
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while _running(pid):
        if time.monotonic() > deadline:
            raise SystemExit(f"the sandbox (pid {pid}) did not stop within 30 s")
        time.sleep(0.05)  # polling a process we did not start (no handle to wait on)
    PID_FILE.unlink()
    print("sandbox stopped")


def _running(pid: int) -> bool:
    """False once the process is gone, or exited and waiting to be reaped (state Z in /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _listed(path: str, **params: str | int) -> list[dict[str, object]]:
    response = httpx.get(
        f"{SANDBOX_URL}{path}",
        params={"limit": 100, **params},
        headers={"x-api-key": SANDBOX_API_KEY},
        timeout=10,
    )
    response.raise_for_status()
    items: list[dict[str, object]] = response.json()["data"]
    return items


def show_personas() -> None:
    print("== personas in the sandbox ==")
    for persona in _listed("/v2/personas", persona_type="user"):
        layers = persona.get("layers")
        llm = (layers.get("llm") if isinstance(layers, dict) else None) or {}
        key = f"  api_key={llm['api_key']} (masked by the API)" if llm.get("api_key") else ""
        uses = [str(persona[f]) for f in ("objectives_id", "guardrails_id") if persona.get(f)]
        guardrail_ids = persona.get("guardrail_ids")
        uses += [str(g) for g in guardrail_ids] if isinstance(guardrail_ids, list) else []
        using = f"  uses {', '.join(uses)}" if uses else ""
        name = f"{persona['persona_name']!s:<14}"
        print(f"  {persona['persona_id']}  {name} model={llm.get('model')}{key}{using}")
    for path, id_field in (("/v2/objectives", "objectives_id"), ("/v2/guardrails", "guardrails_id")):
        for item in _listed(path):
            print(f"  {item[id_field]}  {item.get('name')!s:<14} ({path.rsplit('/', 1)[1]} set)")


def write_env_file() -> None:
    env = hermetic_env(DEMO_DIR / "state")
    keys = [
        "PATH",
        "PULUMI_HOME",
        "PULUMI_CREDENTIALS_PATH",
        "PULUMI_BACKEND_URL",
        "PULUMI_CONFIG_PASSPHRASE",
        "PULUMI_SKIP_UPDATE_CHECK",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION",
    ]
    lines = [f"export {key}={json.dumps(env[key])}" for key in keys]
    lines.append("pulumi stack select sandbox >/dev/null 2>&1 || true")
    Path(DEMO_DIR / "env.sh").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
