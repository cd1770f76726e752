"""The Pulumi dynamic provider behind `tavus:Persona` (README: How the provider behaves).

Rules this module keeps (README: "How the provider behaves", "Pickle hygiene"):

- It is imported by reference from this module, so the pickled provider in state is
  a short, deterministic string with no secret and no client in it. Everything the
  provider needs at run time is built in `configure()` inside the provider process.
- `check` and `diff` are pure and local: the engine calls them one resource at a
  time, so an HTTP call there would serialise the whole preview.
- One canonical form (`providers.canonical`) is used by check, diff, read and the
  read-back after writes; inputs and outputs store that form, so a no-op plan is
  empty by construction.
- Secrets arrive here as plaintext (the engine strips secret markers) and go back at
  exactly the paths they came in, so the engine re-marks them as secrets.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from providers import _engine_errors
from providers import canonical as canon
from providers._runtime import Runtime
from providers._unknowns import with_placeholders
from providers.errors import (
    DraftConflictError,
    InvalidRequestError,
    PersonaDraftConflict,
    PersonaNotFoundError,
    PersonaStateError,
)
from providers.settings import OVERRIDE_DRAFTS_CONFIG, settings_from
from providers.spec import validate_body
from providers.state import ADOPT_INPUT, body_of

__all__ = ["PersonaDraftConflict", "PersonaProvider", "PersonaStateError"]

# In the provider server process, show the product's errors without the SDK's traceback.
_engine_errors.install()

class PersonaProvider(ResourceProvider):
    """Creates, diffs, updates, reads and deletes one Tavus persona per resource."""

    # Safe because the pickle holds no secret: tests/unit/test_provider_pickle.py proves it.
    serialize_as_secret_always = False

    # Per-process runtime, created by configure(); a class attribute so that it is
    # never part of the pickled instance.
    _runtime: Runtime | None = None

    def __getstate__(self) -> dict[str, Any]:
        # Pickled into state: nothing. Credentials and clients exist only in the provider process.
        return {}

    def configure(self, req: ConfigureRequest) -> None:
        self._runtime = Runtime(settings_from(req.config.get))

    def _rt(self) -> Runtime:
        if self._runtime is None:  # engines older than configure(): environment only
            self._runtime = Runtime(settings_from(lambda _key: None))
        return self._runtime

    # -- plan (pure) ---------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        body = body_of(news)
        # In a preview, ids of referenced items about to be created or replaced are still unknown.
        issues = validate_body(with_placeholders(body))
        failures = [CheckFailure(issue.path or "persona", issue.message) for issue in issues]
        inputs = canon.canonical(body)
        if news.get(ADOPT_INPUT):
            inputs[ADOPT_INPUT] = news[ADOPT_INPUT]
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # `olds` are the stored outputs: the managed body as Tavus last held it.
        if canon.json_equal(canon.canonical(body_of(olds)), canon.canonical(body_of(news))):
            return DiffResult(changes=False)
        # Let the engine diff old and new inputs itself: that yields a per-field
        # detailed diff for `preview --diff` and `preview --json`. Everything Tavus
        # holds is patchable, so nothing is ever replaced.
        return DiffResult(changes=None, replaces=[])

    # -- apply -----------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        rt = self._rt()
        desired = canon.canonical(body_of(props))
        adopt = props.get(ADOPT_INPUT)
        live = self._adopt(rt, adopt, desired) if adopt else self._create_or_adopt_by_name(rt, desired)
        return CreateResult(id_=live["persona_id"], outs=_outputs(live, desired, adopt))

    def update(self, persona_id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        rt = self._rt()
        old = canon.canonical(body_of(olds))
        new = canon.canonical(body_of(news))
        adopt = news.get(ADOPT_INPUT)
        operations = canon.json_patch(old, new)
        if not operations:  # only an option changed: Tavus is not touched
            outs = {k: v for k, v in olds.items() if not k.startswith("__") and k != ADOPT_INPUT}
            if adopt:
                outs[ADOPT_INPUT] = adopt
            return UpdateResult(outs=outs)
        self._patch(rt, persona_id, operations, new)
        live = _read_back(rt, persona_id, new)
        return UpdateResult(outs=_outputs(live, new, adopt))

    def delete(self, persona_id: str, _props: dict[str, Any]) -> None:
        rt = self._rt()
        rt.index().forget(persona_id)
        rt.client.delete(persona_id)  # "already gone" is success

    def read(self, persona_id: str, props: dict[str, Any]) -> ReadResult:
        if not body_of(props):
            raise PersonaStateError(
                "`pulumi import` cannot work for dynamic resources (pulumi/pulumi#16175); "
                "to manage an existing persona, set `pulumi: {adopt: <persona_id>}` in its file"
            )
        rt = self._rt()
        live = rt.index().get(persona_id)
        if live is None:
            return ReadResult(id_="", outs={})  # deleted outside Pulumi: `up` recreates it
        desired = canon.canonical(body_of(props))
        adopt = props.get(ADOPT_INPUT)
        outs = _outputs(live, desired, adopt, shown=props.get("shown_secrets"))
        inputs = body_of(outs)
        if adopt:
            inputs[ADOPT_INPUT] = adopt
        return ReadResult(id_=persona_id, outs=outs, inputs=inputs)

    # -- helpers -----------------------------------------------------------------------

    def _create_or_adopt_by_name(self, rt: Runtime, desired: dict[str, Any]) -> dict[str, Any]:
        # A persona with this name can exist already: left by a `pulumi up` that was killed
        # (or lost the answer) after Tavus created it, or made by hand. The first holds
        # exactly the file's settings and is adopted rather than duplicated; anything else
        # is someone's persona, and a plan that said "create" must not overwrite it.
        name = desired.get("persona_name", "")
        same_name = rt.index().same_as(desired)
        if len(same_name) > 1:
            ids = ", ".join(sorted(p["persona_id"] for p in same_name))
            raise PersonaStateError(
                f"{len(same_name)} personas named {name!r} already exist ({ids}); "
                "set `pulumi: {adopt: <persona_id>}` in the file to choose the one to manage"
            )
        if same_name:
            persona_id = same_name[0]["persona_id"]
            # The whole document, not the list entry: list entries may be abridged.
            existing = self._fetch_for_adoption(rt, persona_id)
            differing = _differing_fields(existing, desired)
            if differing:
                raise PersonaStateError(
                    f"a persona named {name!r} already exists in Tavus ({persona_id}) with other "
                    f"settings ({', '.join(differing)}); nothing was changed. To manage it from this "
                    f"file (its settings replace the persona's), set `pulumi: {{adopt: {persona_id}}}` "
                    "in the file; to keep both, give the file another persona_name"
                )
            _warn(f"adopting existing persona {persona_id} named {name!r} instead of creating a duplicate")
            return self._take_over(rt, persona_id, existing, desired)
        created = rt.client.create(desired)
        persona_id = created["persona_id"]
        try:
            return _read_back(rt, persona_id, desired)
        except PersonaStateError:
            # Create must be transactional: a persona that did not take the file's
            # values is removed again, so a failed step leaves no orphan behind.
            rt.client.delete(persona_id)
            raise

    def _adopt(self, rt: Runtime, persona_id: str, desired: dict[str, Any]) -> dict[str, Any]:
        return self._take_over(rt, persona_id, self._fetch_for_adoption(rt, persona_id), desired)

    def _fetch_for_adoption(self, rt: Runtime, persona_id: str) -> dict[str, Any]:
        live = rt.client.get(persona_id)
        if live is None:
            raise PersonaStateError(
                f"cannot adopt persona {persona_id}: Tavus has no persona with that id "
                "(check `pulumi.adopt` in the file)"
            )
        return live

    def _take_over(
        self, rt: Runtime, persona_id: str, live: Mapping[str, Any], desired: dict[str, Any]
    ) -> dict[str, Any]:
        """Patch the adopted persona `live` (as just fetched) to the file, and read it back."""
        # Compare against what Tavus shows, masked keys included: an adopted
        # persona's keys are unknown, so they are always written.
        current = canon.managed_view(canon.canonical(live), desired)
        operations = canon.json_patch(current, desired)
        if operations:
            rt.client.patch(persona_id, operations)
        rt.index().forget(persona_id)
        return _read_back(rt, persona_id, desired)

    def _patch(
        self, rt: Runtime, persona_id: str, operations: list[dict[str, Any]], desired: dict[str, Any]
    ) -> None:
        rt.index().forget(persona_id)
        try:
            _patch_unless_draft(rt, persona_id, operations)
        except PersonaNotFoundError:
            raise PersonaStateError(
                f"persona {persona_id} no longer exists in Tavus (deleted outside Pulumi); "
                "run `pulumi up --refresh` to recreate it"
            ) from None
        except InvalidRequestError as error:
            if error.status != 422:
                raise
            # The patch was computed from state; Tavus's document has a different
            # shape (edited outside Pulumi). Recompute it from what Tavus holds now.
            live = rt.client.get(persona_id)
            if live is None:
                raise PersonaStateError(
                    f"persona {persona_id} was deleted while it was being updated"
                ) from None
            current = canon.managed_view(canon.canonical(live), desired)
            _patch_unless_draft(rt, persona_id, canon.json_patch(current, desired))


def _patch_unless_draft(rt: Runtime, persona_id: str, operations: list[dict[str, Any]]) -> None:
    """PATCH; on 409 (unpublished web-editor edits) stop with one line, or overwrite them when the
    stack says so (`tavus:overrideDrafts`)."""
    force = rt.settings.override_drafts
    try:
        rt.client.patch(persona_id, operations, force=force)
    except DraftConflictError:
        raise PersonaDraftConflict(
            f"persona {persona_id} has unpublished edits in the Tavus web editor (HTTP 409 maker_changes); "
            "nothing was changed. Publish or discard them in Tavus and run again, or let this stack "
            f"overwrite such drafts: `pulumi config set {OVERRIDE_DRAFTS_CONFIG} true`"
        ) from None


def _differing_fields(live: Mapping[str, Any], desired: dict[str, Any]) -> list[str]:
    """The file's fields whose values `live` does not hold. Secrets count as held: Tavus masks them."""
    held = canon.carry_secrets(canon.managed_view(canon.canonical(live), desired), desired)
    return canon.changed_paths(held, desired)


def _read_back(rt: Runtime, persona_id: str, desired: dict[str, Any]) -> dict[str, Any]:
    """GET the persona after a write and fail clearly if a declared field did not persist."""
    live = rt.client.get(persona_id)
    if live is None:
        raise PersonaStateError(f"persona {persona_id} disappeared right after it was written")
    missing = _differing_fields(live, desired)
    if missing:
        raise PersonaStateError(
            f"Tavus did not keep these fields of persona {persona_id}: {', '.join(missing)}. "
            "Check their values against the Tavus API documentation (the persona was left unchanged "
            "or removed, nothing else was applied)"
        )
    return {**live, "persona_id": persona_id}


def _outputs(
    live: Mapping[str, Any],
    desired: dict[str, Any],
    adopt: str | None,
    shown: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Outputs in the canonical form: the managed body (secrets from the file), plus computed keys.

    `shown` is what the last write recorded of the secrets Tavus showed (`shown_secrets`): a
    refresh passes it so that a key changed in the web UI reads as drift.
    """
    live_body = canon.canonical(body_of(live))
    live_view = canon.managed_view(live_body, desired)
    managed = canon.carry_secrets(live_view, desired, shown)
    outs: dict[str, Any] = dict(managed)
    outs["persona_id"] = live["persona_id"]
    outs["created_at"] = live.get("created_at")
    outs["updated_at"] = live.get("updated_at")
    outs["secret_fingerprints"] = canon.secret_fingerprints(managed)
    outs["shown_secrets"] = canon.shown_secrets(live_view)
    outs["unmanaged"] = canon.unmanaged_fields(live_body, desired)
    if adopt:
        outs[ADOPT_INPUT] = adopt
    return outs


def _warn(message: str) -> None:
    # The engine forwards the provider's stderr as a diagnostic on the resource.
    print(f"warning: {message}", file=sys.stderr, flush=True)
