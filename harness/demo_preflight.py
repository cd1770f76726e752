"""The preflight step of `make demo`: one passing and one failing check of the storyteller's custom LLM.

The example persona points at api.openai.com, which the demo must not call. So the demo runs
`python -m providers preflight --stack sandbox storyteller --base-url URL` against two scenarios of
the sandbox's local chat-completions endpoint (`/_llm/{scenario}/v1`, docs/sandbox.md): `demo`,
which streams properly and demands the storyteller's key from the stack config, and
`demo-no-stream`, which answers plain JSON as a misconfigured endpoint would. personas/ stays
untouched: `--base-url` replaces only where the requests go.
"""

from __future__ import annotations

import subprocess
import sys

from harness.pulumi import PulumiStack
from sandbox.llm_testing import LlmAdmin

PASSING, FAILING = "demo", "demo-no-stream"


def show_preflight(stack: PulumiStack, sandbox_url: str, storyteller_key: str) -> bool:
    """Print both runs; True when the passing one exits 0 and the failing one exits 1."""
    with LlmAdmin(sandbox_url) as llm:
        llm.set_scenario(PASSING, api_key=storyteller_key)
        llm.set_scenario(FAILING, api_key=storyteller_key, stream=False)
        codes = [_preflight(stack, llm.base_url(name), title) for name, title in (
            (PASSING, "a custom LLM that streams properly"),
            (FAILING, "a custom LLM that does not stream (exit 1 is the point)"),
        )]
    return codes == [0, 1]


def _preflight(stack: PulumiStack, base_url: str, title: str) -> int:
    argv = [sys.executable, "-m", "providers", "preflight", "--stack", stack.stack, "--root", ".",
            "storyteller", "--base-url", base_url]
    print(f"\n== preflight: {title} ==\n$ python -m providers preflight --stack {stack.stack} storyteller "
          f"--base-url {base_url}", flush=True)
    # The stack's hermetic env lets preflight read its config through the Pulumi CLI.
    result = subprocess.run(argv, cwd=stack.project_dir, env=stack.env, capture_output=True, text=True,
                            timeout=300, check=False)
    print(result.stdout, result.stderr, sep="", end="", flush=True)
    print(f"(exit code {result.returncode})", flush=True)
    return result.returncode
