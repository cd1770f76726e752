"""Entry point the Pulumi CLI runs for `--policy-pack policies` (via `python -m pulumi.policy`)."""

import sys
from pathlib import Path

# The pack lives inside the project: put the project root on the path so that it can use
# the provider's own definitions (secret paths, persona file loading) instead of copies.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import PolicyPack  # noqa: E402

from policies.rules import POLICIES  # noqa: E402
from policies.secret_marks import mark_secrets  # noqa: E402

mark_secrets()
PolicyPack(name="tavus-personas", policies=list(POLICIES))
