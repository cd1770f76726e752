"""Entry point the Pulumi CLI runs for `--policy-pack policies` (via `python -m pulumi.policy`)."""

import sys
from pathlib import Path

# The pack lives inside the project: put the project root on the path so that it can use
# the provider's own definitions (secret paths, persona file loading) instead of copies.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import PolicyPack

from policies.rules import POLICIES
from policies.secret_marks import mark_secrets

mark_secrets()
PolicyPack(name="tavus-personas", policies=list(POLICIES))
