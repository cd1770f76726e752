"""The behaviour every Tavus resource shares: one dynamic provider class, `ItemProvider`.

Each kind is a small subclass naming its `Kind` (providers/facts/<kind>.py): `tavus:Objectives`,
`tavus:Guardrails`, `tavus:PronunciationDictionary` and `tavus:Document` here, `tavus:Persona` in
providers/provider.py, which adds what only personas have (secrets that Tavus masks, web-editor
drafts). Rules kept for every kind (README: How the provider behaves):

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
- documents (`DocumentProvider`) differ in three ways: a create waits until Tavus has processed
  the document (providers.document_wait); an update is Tavus's plain-body PATCH of
  `document_name` / `tags`; another `document_url` or `crawl` is a replacement, created before
  the old document is deleted so that personas never point at nothing.
- read returns outputs and inputs in the canonical form, so refresh shows drift per field and
  the next `up` reverts it; an item deleted outside Pulumi reads as gone and `up` recreates it.
- delete treats "already gone" as success.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
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
from providers.document_wait import Waiter
from providers.endpoints import Endpoint
from providers.errors import InvalidRequestError, ItemStateError, NotFoundError, RateLimitedError
from providers.facts import dictionaries, documents, guardrails, objectives
from providers.kind import RECRAWL_INPUT, Kind
from providers.settings import settings_from
from providers.spec import Diagnostic, validate_item_body

__all__ = [
    "DictionaryProvider",
    "DocumentProvider",
    "GuardrailsProvider",
    "ItemProvider",
    "ItemStateError",
    "ObjectivesProvider",
]

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
        inputs = {**self.kind.canonical(body), **self.kind.options_of(news)}
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
        outs = {**self._outputs(live, desired, adopt), **self.kind.options_of(props)}
        return CreateResult(id_=live[self.kind.id_output], outs=outs)

    def update(self, item_id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        kind = self.kind
        old, new = kind.canonical(kind.body_of(olds)), kind.canonical(kind.body_of(news))
        adopt = news.get(kind.adopt_input)
        # Options are kept in the outputs, so that the next diff sees them change.
        options = kind.options_of(news)
        if not kind.json_patch(old, new):  # only an option changed: Tavus is not touched
            options_now = {kind.adopt_input, *kind.option_inputs}
            outs = {k: v for k, v in olds.items() if not k.startswith("__") and k not in options_now}
            return UpdateResult(outs={**outs, **({kind.adopt_input: adopt} if adopt else {}), **options})
        self._patch(item_id, old, new)
        return UpdateResult(outs={**self._outputs(self._read_back(item_id, new), new, adopt), **options})

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
        options = kind.options_of(props)
        outs = {**self._outputs(live, kind.canonical(kind.body_of(props)), adopt, previous=props), **options}
        inputs = {**kind.body_of(outs), **options}
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
        for key in self.kind.status_outputs:  # outputs only: never compared, so never drift
            outs[key] = live.get(key)
        if adopt:
            outs[self.kind.adopt_input] = adopt
        return outs

    def _differing_fields(self, live: Mapping[str, Any], desired: dict[str, Any]) -> list[str]:
        """The file's fields whose values `live` does not hold."""
        held = canon.managed_view(self.kind.canonical(live), desired)
        return self.kind.changed_paths(held, desired)

    def _send_changes(self, item_id: str, current: dict[str, Any], desired: dict[str, Any]) -> None:
        """Make the item go from `current` to `desired` (both canonical): one JSON Patch."""
        wire = self.kind.wire_body
        self._send_patch(item_id, self.kind.json_patch(wire(current), wire(desired)))

    def _send_patch(self, item_id: str, operations: list[dict[str, Any]]) -> None:
        self._client().patch(item_id, operations)

    def _settle(self, item_id: str) -> None:
        """Wait until Tavus is done with a new or adopted item; most kinds are done at once."""

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
        item_id = self._client().create(self.kind.wire_body(desired))[self.kind.id_output]
        try:
            self._settle(item_id)
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
        if self.kind.json_patch(current, desired):
            self._send_changes(item_id, current, desired)
        self._index().forget(item_id)
        self._settle(item_id)
        return self._read_back(item_id, desired)

    def _patch(self, item_id: str, old: dict[str, Any], desired: dict[str, Any]) -> None:
        self._index().forget(item_id)
        try:
            self._send_changes(item_id, old, desired)
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
            self._send_changes(item_id, current, desired)

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


class DictionaryProvider(ItemProvider):
    kind = dictionaries.KIND


class DocumentProvider(ItemProvider):
    """Documents: processed asynchronously, renamed and retagged in place, replaced otherwise."""

    kind = documents.KIND
    # Injectable for tests (class-level defaults: the pickle carries no instance state).
    _sleep: Callable[[float], None] | None = None
    _clock: Callable[[], float] | None = None

    def __init__(
        self, sleep: Callable[[float], None] | None = None, clock: Callable[[], float] | None = None
    ) -> None:
        super().__init__()
        self._sleep, self._clock = sleep, clock

    def diff(self, item_id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        old, new = self.kind.body_of(olds), self.kind.body_of(news)
        replaced = documents.replacing_changes(old, new)
        if replaced:
            # Create the new document (and wait until it is ready), re-point personas, then delete
            # the old one: personas never reference a missing or half-processed document.
            return DiffResult(changes=True, replaces=replaced, delete_before_replace=False)
        if _recrawl_requested(olds, news):
            return DiffResult(changes=True, replaces=[])
        return super().diff(item_id, olds, news)

    def update(self, item_id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        result = super().update(item_id, olds, news)
        if not _recrawl_requested(olds, news):
            return result
        # After the name/tags PATCH (if any): a failed recrawl leaves those applied, and state keeps
        # the old `recrawl` value, so the next `up` tries the recrawl again.
        self._index().forget(item_id)
        try:
            self._client().post_action(item_id, "recrawl")
        except RateLimitedError as error:
            raise ItemStateError(
                f"Tavus refused to recrawl document {item_id} now ({error.message}): a document can be "
                "recrawled once an hour. Run `pulumi up` again later; the new `recrawl` value stays pending"
            ) from None
        live = self._settled(item_id)
        outs = dict(result.outs or {})
        outs.update({key: live.get(key) for key in self.kind.status_outputs})
        outs["updated_at"] = live.get("updated_at")
        return UpdateResult(outs=outs)

    def _settle(self, item_id: str) -> None:
        self._settled(item_id)

    def _settled(self, item_id: str) -> dict[str, Any]:
        waiter = Waiter(
            timeout_seconds=self._rt().settings.document_timeout_seconds,
            sleep=self._sleep or time.sleep,
            clock=self._clock or time.monotonic,
            report=_progress,
        )
        return waiter.until_ready(item_id, self._client().get)

    def _send_changes(self, item_id: str, current: dict[str, Any], desired: dict[str, Any]) -> None:
        fixed = documents.replacing_changes(current, desired)
        if fixed:
            raise ItemStateError(
                f"document {item_id} has another {' and '.join(fixed)} than the file, and Tavus cannot "
                "change that in place: remove `pulumi.adopt` to create a new document from the file"
            )
        fields: dict[str, Any] = {key: desired[key] for key in documents.UPDATABLE
                  if key in desired and not canon.json_equal(current.get(key), desired[key])}
        if current.get("tags") and "tags" not in desired:
            fields["tags"] = []  # tags removed from the file: the document keeps none
        if fields:
            self._client().update_fields(item_id, fields)


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


def _recrawl_requested(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """A new `pulumi.recrawl` value (setting one for the first time counts; removing it does not)."""
    new = news.get(RECRAWL_INPUT)
    return new is not None and new != olds.get(RECRAWL_INPUT)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
