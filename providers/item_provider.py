"""The behaviour every Tavus resource shares: one dynamic provider class, `ItemProvider`.

Each kind is a small subclass naming its `Kind` (providers/facts/<kind>.py): `tavus:Objectives`
and `tavus:Guardrails` here, `tavus:Persona` in providers/provider.py, which adds what only
personas have (secrets that Tavus masks, web-editor drafts). Rules kept for every kind (see
shared/reference/pulumi-dynamic-providers.md):

- The provider is pickled into state by reference to its importable class: a short,
  deterministic string with no secret and no client in it. Everything it needs at run time is
  built in `configure()` inside the provider process.
- `check` and `diff` are pure and local: the engine calls them one resource at a time, so an
  HTTP call there would serialise the whole preview. One canonical form (`Kind.canonical`) is
  used by check, diff, read and the read-back after writes; inputs and outputs store that form,
  so a no-op plan is empty by construction.
- create POSTs (never twice: a lost answer is found again by name, or for objectives by
  content), reads back, and deletes what it made if Tavus did not keep the file's values. Before
  a POST, an item with the file's name that already holds the file's values (left by a killed
  run) is adopted; one with other values is never overwritten by a "create".
- update sends one JSON Patch of exactly the changed paths (304 = nothing to do), reads back.
- read returns outputs and inputs in the canonical form, so refresh shows drift per field and
  the next `up` reverts it; an item deleted outside Pulumi reads as gone and `up` recreates it.
- delete treats "already gone" as success.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, ClassVar

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
from pulumi.output import Unknown
from pulumi.runtime import rpc

from providers import _engine_errors
from providers import canonical as canon
from providers._runtime import Index, Runtime
from providers.client import TavusClient
from providers.endpoints import Endpoint
from providers.errors import InvalidRequestError, ItemStateError, NotFoundError
from providers.facts import guardrails, objectives
from providers.kind import Kind
from providers.settings import settings_from
from providers.spec import Diagnostic, validate_item_body

__all__ = ["GuardrailsProvider", "ItemProvider", "ItemStateError", "ObjectivesProvider"]

# In the provider server process, show the product's errors without the SDK's traceback.
_engine_errors.install()


class ItemProvider(ResourceProvider):
    """Creates, diffs, updates, reads and deletes one Tavus item of `kind` per resource.

    Subclasses set `kind` and may refine the hooks: `_endpoint`, `_validate`, `_outputs`,
    `_differing_fields` and `_send_patch`.
    """

    kind: ClassVar[Kind]
    state_error: ClassVar[type[ItemStateError]] = ItemStateError
    # Safe because the pickle holds no secret: tests/unit/test_provider_pickle.py proves it.
    serialize_as_secret_always = False
    # Per-process runtime, created by configure(); a class attribute so that it is never part of
    # the pickled instance.
    _runtime: Runtime | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {}  # credentials and clients exist only in the provider process

    def configure(self, req: ConfigureRequest) -> None:
        self._runtime = Runtime(settings_from(req.config.get))

    def _rt(self) -> Runtime:
        if self._runtime is None:  # engines older than configure(): environment only
            self._runtime = Runtime(settings_from(lambda _key: None))
        return self._runtime

    def _endpoint(self) -> Endpoint:
        return self.kind.endpoint

    def _client(self) -> TavusClient:
        return self._rt().client.at(self._endpoint())

    def _index(self) -> Index:
        return self._rt().index(self._endpoint())

    @property
    def _label(self) -> str:
        return self.kind.endpoint.label

    # -- plan (pure) -------------------------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        body = self.kind.body_of(news)
        issues = self._validate(_with_unknowns_as_ids(body))
        failures = [CheckFailure(issue.path or self._label, issue.message) for issue in issues]
        inputs = self.kind.canonical(body)
        adopt = news.get(self.kind.adopt_input)
        if adopt:
            inputs[self.kind.adopt_input] = adopt
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # `olds` are the stored outputs: the managed body as Tavus last held it.
        kind = self.kind
        if canon.json_equal(kind.canonical(kind.body_of(olds)), kind.canonical(kind.body_of(news))):
            return DiffResult(changes=False)
        # Let the engine diff old and new inputs itself: that yields a per-field detailed diff for
        # `preview --diff` and `preview --json`. Everything Tavus holds is patchable: no replace.
        return DiffResult(changes=None, replaces=[])

    # -- apply -------------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        desired = self.kind.canonical(self.kind.body_of(props))
        adopt = props.get(self.kind.adopt_input)
        live = self._take_over(adopt, self._fetch(adopt), desired) if adopt else self._create(desired)
        return CreateResult(id_=live[self.kind.id_output], outs=self._outputs(live, desired, adopt))

    def update(self, item_id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        kind = self.kind
        old, new = kind.canonical(kind.body_of(olds)), kind.canonical(kind.body_of(news))
        adopt = news.get(kind.adopt_input)
        operations = kind.json_patch(old, new)
        if not operations:  # only an option changed: Tavus is not touched
            outs = {k: v for k, v in olds.items() if not k.startswith("__") and k != kind.adopt_input}
            return UpdateResult(outs={**outs, **({kind.adopt_input: adopt} if adopt else {})})
        self._patch(item_id, operations, new)
        return UpdateResult(outs=self._outputs(self._read_back(item_id, new), new, adopt))

    def delete(self, item_id: str, _props: dict[str, Any]) -> None:
        self._index().forget(item_id)
        self._client().delete(item_id)  # "already gone" is success

    def read(self, item_id: str, props: dict[str, Any]) -> ReadResult:
        kind = self.kind
        if not kind.body_of(props):
            raise self.state_error(
                "`pulumi import` cannot work for dynamic resources (pulumi/pulumi#16175); to manage an "
                f"existing {self._label}, set `pulumi: {{adopt: <{kind.id_output}>}}` in its file"
            )
        live = self._index().get(item_id)
        if live is None:
            return ReadResult(id_="", outs={})  # deleted outside Pulumi: `up` recreates it
        adopt = props.get(kind.adopt_input)
        outs = self._outputs(live, kind.canonical(kind.body_of(props)), adopt, previous=props)
        inputs = kind.body_of(outs)
        if adopt:
            inputs[kind.adopt_input] = adopt
        return ReadResult(id_=item_id, outs=outs, inputs=inputs)

    # -- hooks -------------------------------------------------------------------------------------

    def _validate(self, body: Mapping[str, Any]) -> list[Diagnostic]:
        return validate_item_body(body, self.kind)

    def _outputs(
        self,
        live: Mapping[str, Any],
        desired: dict[str, Any],
        adopt: str | None,
        previous: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Outputs in the canonical form: the managed body as Tavus holds it, plus computed keys.
        `previous` (on read) are the outputs stored by the last write."""
        live_body = self.kind.canonical(live)
        outs: dict[str, Any] = canon.managed_view(live_body, desired)
        return self._with_computed(outs, live, live_body, desired, adopt)

    def _with_computed(
        self,
        outs: dict[str, Any],
        live: Mapping[str, Any],
        live_body: Mapping[str, Any],
        desired: dict[str, Any],
        adopt: str | None,
    ) -> dict[str, Any]:
        outs[self.kind.id_output] = live[self.kind.id_output]
        outs["created_at"] = live.get("created_at")
        outs["updated_at"] = live.get("updated_at")
        outs["unmanaged"] = canon.unmanaged_fields(live_body, desired)
        if adopt:
            outs[self.kind.adopt_input] = adopt
        return outs

    def _differing_fields(self, live: Mapping[str, Any], desired: dict[str, Any]) -> list[str]:
        """The file's fields whose values `live` does not hold."""
        held = canon.managed_view(self.kind.canonical(live), desired)
        return self.kind.changed_paths(held, desired)

    def _send_patch(self, item_id: str, operations: list[dict[str, Any]]) -> None:
        self._client().patch(item_id, operations)

    # -- helpers -----------------------------------------------------------------------------------

    def _create(self, desired: dict[str, Any]) -> dict[str, Any]:
        # An item like this can exist already: left by a `pulumi up` that was killed (or lost the
        # answer) after Tavus created it, or made by hand. The first holds exactly the file's
        # settings and is adopted rather than duplicated; anything else is someone's, and a plan
        # that said "create" must not overwrite it.
        name = self.kind.endpoint.name_of(desired)
        same = self._index().same_as(desired)
        if len(same) > 1:
            ids = ", ".join(sorted(str(item[self.kind.id_output]) for item in same))
            what = f"named {name!r}" if name else "like this file's"
            raise self.state_error(f"{len(same)} {self._label}s {what} already exist ({ids}); set "
                                   "`pulumi: {adopt: <id>}` in the file to choose the one to manage")
        if same:
            item_id = same[0][self.kind.id_output]
            # The whole item, not the list entry: list entries may be abridged.
            existing = self._fetch(item_id)
            differing = self._differing_fields(existing, desired)
            if differing:
                raise self.state_error(
                    f"a {self._label} named {name!r} already exists in Tavus ({item_id}) with other "
                    f"settings ({', '.join(differing)}); nothing was changed. To manage it from this file "
                    f"(its settings replace the {self._label}'s), set `pulumi: {{adopt: {item_id}}}` in "
                    f"the file; to keep both, give the file another {self.kind.endpoint.name_field}"
                )
            what = f" named {name!r}" if name else ""
            _warn(f"adopting existing {self._label} {item_id}{what} instead of creating a duplicate")
            return self._take_over(item_id, existing, desired)
        item_id = self._client().create(desired)[self.kind.id_output]
        try:
            return self._read_back(item_id, desired)
        except ItemStateError:
            # Create must be transactional: an item that did not take the file's values is
            # removed again, so a failed step leaves no orphan behind.
            self._client().delete(item_id)
            raise

    def _fetch(self, item_id: str) -> dict[str, Any]:
        live = self._client().get(item_id)
        if live is None:
            raise self.state_error(f"cannot adopt {self._label} {item_id}: Tavus has no {self._label} "
                                   "with that id (check `pulumi.adopt` in the file)")
        return live

    def _take_over(self, item_id: str, live: Mapping[str, Any], desired: dict[str, Any]) -> dict[str, Any]:
        """Patch the adopted item `live` (as just fetched) to the file, and read it back."""
        # Compare against what Tavus shows, masked keys included: an adopted persona's keys are
        # unknown, so they are always written.
        current = canon.managed_view(self.kind.canonical(live), desired)
        operations = self.kind.json_patch(current, desired)
        if operations:
            self._send_patch(item_id, operations)
        self._index().forget(item_id)
        return self._read_back(item_id, desired)

    def _patch(self, item_id: str, operations: list[dict[str, Any]], desired: dict[str, Any]) -> None:
        self._index().forget(item_id)
        try:
            self._send_patch(item_id, operations)
        except NotFoundError:
            raise self.state_error(
                f"{self._label} {item_id} no longer exists in Tavus (deleted outside Pulumi); "
                "run `pulumi up --refresh` to recreate it"
            ) from None
        except InvalidRequestError as error:
            if error.status != 422:
                raise
            # The patch was computed from state; Tavus's document has a different shape (edited
            # outside Pulumi). Recompute it from what Tavus holds now.
            live = self._client().get(item_id)
            if live is None:
                gone = f"{self._label} {item_id} was deleted while it was being updated"
                raise self.state_error(gone) from None
            current = canon.managed_view(self.kind.canonical(live), desired)
            self._send_patch(item_id, self.kind.json_patch(current, desired))

    def _read_back(self, item_id: str, desired: dict[str, Any]) -> dict[str, Any]:
        """GET the item after a write and fail clearly if a declared field did not persist."""
        live = self._client().get(item_id)
        if live is None:
            raise self.state_error(f"{self._label} {item_id} disappeared right after it was written")
        missing = self._differing_fields(live, desired)
        if missing:
            raise self.state_error(
                f"Tavus did not keep these fields of {self._label} {item_id}: {', '.join(missing)}. "
                "Check their values against the Tavus API documentation (the "
                f"{self._label} was left unchanged or removed, nothing else was applied)"
            )
        return {**live, self.kind.id_output: item_id}


class ObjectivesProvider(ItemProvider):
    kind = objectives.KIND


class GuardrailsProvider(ItemProvider):
    kind = guardrails.KIND


def _with_unknowns_as_ids(value: Any) -> Any:
    """`value` with every value the engine does not know yet replaced by a placeholder id.

    During a preview, a `{ref:}` to a set that does not exist yet is unknown (the set's id is an
    output of its create). Only ids are ever unknown here (config and secrets are known), and
    the file was validated with the reference in place: validate the rest, not the placeholder.
    """
    if isinstance(value, Unknown) or value == rpc.UNKNOWN:
        return "unknown-until-created"
    if isinstance(value, Mapping):
        return {key: _with_unknowns_as_ids(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_with_unknowns_as_ids(item) for item in value]
    return value


def _warn(message: str) -> None:
    # The engine forwards the provider's stderr as a diagnostic on the resource.
    print(f"warning: {message}", file=sys.stderr, flush=True)
