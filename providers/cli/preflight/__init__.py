"""`preflight --stack NAME`: call each custom LLM the way Tavus will, before `pulumi up` (docs/preflight.md).

The command is `command.py`; what it sends and how it judges the answers is `checks.py` (and
`probe.py`, one streaming request); which personas and their resolved references is `targets.py`
(values from `config.py`); the text and JSON reports are `report.py`.
"""

from providers.cli.preflight.command import register, run

__all__ = ["register", "run"]
