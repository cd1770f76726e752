"""Helpers shared by the test suites; fixtures live in the conftest files, helpers here.

- `deployment`  a project copy, its real stack and the sandbox it deploys to (e2e, gitops, reliability)
- `cli`         `python -m providers COMMAND` run as a user runs it, in a subprocess
- `corpus`      the header every bad-input corpus file starts with (tests/unit/bad_personas,
                tests/reliability/bad_input)
- `preflight`   persona projects and runs for the preflight suite
- `reliability` generated fleets, killable runs, account checks and the suite's figures
"""
