"""`protect` and `retain_on_delete` in a persona file behave as Pulumi documents them."""

from __future__ import annotations

import pytest

from tests.support.deployment import Deployment, make_deployment

pytestmark = pytest.mark.e2e

PERSONA = (
    "persona_name: {name}\nsystem_prompt: You help.\npipeline_mode: full\npulumi:\n  {option}: {value}\n"
)


@pytest.fixture(scope="module")
def options_deployment(tmp_path_factory: pytest.TempPathFactory, module_sandbox) -> Deployment:  # type: ignore[no-untyped-def]
    return make_deployment(tmp_path_factory.mktemp("options"), module_sandbox, personas=None)


def _names(d: Deployment) -> set[str]:
    return {str(p["persona_name"]) for p in d.user_personas()}


def test_protected_persona_is_not_deleted_until_unprotected(options_deployment: Deployment) -> None:
    d = options_deployment
    path = d.write_persona("guarded", PERSONA.format(name="Guarded", option="protect", value="true"))
    d.stack.up()
    assert "Guarded" in _names(d)

    path.unlink()
    refused = d.stack.up(check=False)
    assert refused.returncode != 0
    assert "protected" in refused.output
    assert "Guarded" in _names(d)

    d.write_persona("guarded", PERSONA.format(name="Guarded", option="protect", value="false"))
    d.stack.up()
    path.unlink()
    d.stack.up()
    assert "Guarded" not in _names(d)


def test_retained_persona_outlives_its_file_and_the_stack(options_deployment: Deployment) -> None:
    d = options_deployment
    path = d.write_persona("kept", PERSONA.format(name="Kept", option="retain_on_delete", value="true"))
    d.stack.up()
    kept_id = d.state_ids()["kept"]

    path.unlink()
    d.stack.up()
    assert "kept" not in d.state_ids()
    assert d.sandbox.admin.get(kept_id) is not None

    d.write_persona("kept2", PERSONA.format(name="Kept Too", option="retain_on_delete", value="true"))
    d.stack.up()
    d.stack.destroy()
    assert {"Kept", "Kept Too"} <= _names(d)
