"""The dynamic provider behind the persona's graph: `tavus:Objectives`, `tavus:Guardrails`,
`tavus:PronunciationDictionary` and `tavus:Document`.

One class, `ItemProvider`, holds the behaviour; each kind is a small subclass naming its
`Kind` (providers/facts/<kind>.py), so that the pickled provider in state is a short reference to
an importable class, as for personas (providers/provider.py, whose rules this module keeps):

- `check` and `diff` are pure and local; one canonical form (`Kind.canonical`) serves check,
  diff, read and the read-back after writes, so a no-op plan is empty by construction.
- create POSTs (never twice: a lost answer is found again by name, or for objectives by
  content), reads back, and deletes what it made if Tavus did not keep the file's values.
  Before a POST, an item with the file's name that already holds the file's values (left by a
  killed run) is adopted; one with other values is never overwritten by a "create".
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

from providers import _engine_errors
from providers import canonical as canon
from providers._runtime import Index, Runtime
from providers.client import TavusClient
from providers.document_wait import Waiter
from providers.errors import InvalidRequestError, ItemStateError, NotFoundError, RateLimitedError
from providers.facts import dictionaries, documents, guardrails, objectives
from providers.kind import ADOPT_INPUT, OPTION_INPUTS, RECRAWL_INPUT, Kind
from providers.settings import settings_from
from providers.spec import validate_item_body

__all__ = [
    "DictionaryProvider",
    "DocumentProvider",
    "GuardrailsProvider",
    "ItemProvider",
    "ItemStateError",
    "ObjectivesProvider",
]

_engine_errors.install()


class ItemProvider(ResourceProvider):
    """Creates, diffs, updates, reads and deletes one Tavus item of `kind` per resource."""

    kind: ClassVar[Kind]
    # Safe because the pickle holds no secret: tests/unit/test_provider_pickle.py proves it.
    serialize_as_secret_always = False
    _runtime: Runtime | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {}  # credentials and clients exist only in the provider process

    def configure(self, req: ConfigureRequest) -> None:
        self._runtime = Runtime(settings_from(req.config.get))

    def _rt(self) -> Runtime:
        if self._runtime is None:  # engines older than configure(): environment only
            self._runtime = Runtime(settings_from(lambda _key: None))
        return self._runtime

    def _client(self) -> TavusClient:
        return self._rt().client_for(self.kind.endpoint)

    def _index(self) -> Index:
        return self._rt().index(self.kind.endpoint)

    # -- plan (pure) ---------------------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        body = self.kind.body_of(news)
        issues = validate_item_body(body, self.kind)
        failures = [CheckFailure(issue.path or self.kind.folder, issue.message) for issue in issues]
        inputs = {**self.kind.canonical(body), **self.kind.options_of(news)}
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        kind = self.kind
        if canon.json_equal(kind.canonical(kind.body_of(olds)), kind.canonical(kind.body_of(news))):
            return DiffResult(changes=False)
        # The engine diffs old and new inputs itself, per field; everything is patchable.
        return DiffResult(changes=None, replaces=[])

    # -- apply -------------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        desired = self.kind.canonical(self.kind.body_of(props))
        adopt = props.get(ADOPT_INPUT)
        live = self._take_over(adopt, self._fetch(adopt), desired) if adopt else self._create(desired)
        outs = self._outputs(live, desired, self.kind.options_of(props))
        return CreateResult(id_=live[self.kind.id_output], outs=outs)

    def update(self, item_id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        kind = self.kind
        old, new = kind.canonical(kind.body_of(olds)), kind.canonical(kind.body_of(news))
        options = kind.options_of(news)
        operations = kind.json_patch(old, new)
        if not operations:  # only an option changed: Tavus is not touched
            outs = {k: v for k, v in olds.items() if not k.startswith("__") and k not in OPTION_INPUTS}
            return UpdateResult(outs={**outs, **options})
        self._patch(item_id, old, new)
        return UpdateResult(outs=self._outputs(self._read_back(item_id, new), new, options))

    def delete(self, item_id: str, _props: dict[str, Any]) -> None:
        self._index().forget(item_id)
        self._client().delete(item_id)  # "already gone" is success

    def read(self, item_id: str, props: dict[str, Any]) -> ReadResult:
        kind = self.kind
        if not kind.body_of(props):
            raise ItemStateError(
                "`pulumi import` cannot work for dynamic resources (pulumi/pulumi#16175); to manage an "
                f"existing {kind.endpoint.label}, set `pulumi: {{adopt: <{kind.id_output}>}}` in its file"
            )
        live = self._index().get(item_id)
        if live is None:
            return ReadResult(id_="", outs={})  # deleted outside Pulumi: `up` recreates it
        options = kind.options_of(props)
        outs = self._outputs(live, kind.canonical(kind.body_of(props)), options)
        return ReadResult(id_=item_id, outs=outs, inputs={**kind.body_of(outs), **options})

    # -- helpers -----------------------------------------------------------------------------------

    def _create(self, desired: dict[str, Any]) -> dict[str, Any]:
        label = self.kind.endpoint.label
        same = self._index().same_as(desired)
        if len(same) > 1:
            ids = ", ".join(sorted(str(item[self.kind.id_output]) for item in same))
            raise ItemStateError(f"{len(same)} {label}s like this file's already exist ({ids}); set "
                                 "`pulumi: {adopt: <id>}` in the file to choose the one to manage")
        if same:
            item_id = same[0][self.kind.id_output]
            existing = self._fetch(item_id)
            differing = self._differing_fields(existing, desired)
            if differing:
                raise ItemStateError(
                    f"a {label} named {self.kind.endpoint.name_of(desired)!r} already exists in Tavus "
                    f"({item_id}) with other settings ({', '.join(differing)}); nothing was changed. To "
                    f"manage it from this file, set `pulumi: {{adopt: {item_id}}}`; to keep both, rename"
                )
            _warn(f"adopting existing {label} {item_id} instead of creating a duplicate")
            return self._take_over(item_id, existing, desired)
        created = self._client().create(self.kind.wire_body(desired))
        item_id = created[self.kind.id_output]
        try:
            self._settle(item_id)
            return self._read_back(item_id, desired)
        except ItemStateError:
            self._client().delete(item_id)  # a failed create leaves no orphan behind
            raise

    def _settle(self, item_id: str) -> None:
        """Wait until Tavus is done with a new or adopted item; most kinds are done at once."""

    def _send_changes(self, item_id: str, current: dict[str, Any], desired: dict[str, Any]) -> None:
        """Make the item go from `current` to `desired` (both canonical): one JSON Patch."""
        wire = self.kind.wire_body
        self._client().patch(item_id, self.kind.json_patch(wire(current), wire(desired)))

    def _fetch(self, item_id: str) -> dict[str, Any]:
        live = self._client().get(item_id)
        if live is None:
            raise ItemStateError(f"cannot adopt {self.kind.endpoint.label} {item_id}: Tavus has none with "
                                 "that id (check `pulumi.adopt` in the file)")
        return live

    def _take_over(self, item_id: str, live: Mapping[str, Any], desired: dict[str, Any]) -> dict[str, Any]:
        current = canon.managed_view(self.kind.canonical(live), desired)
        if self.kind.json_patch(current, desired):
            self._send_changes(item_id, current, desired)
        self._index().forget(item_id)
        self._settle(item_id)
        return self._read_back(item_id, desired)

    def _patch(self, item_id: str, old: dict[str, Any], desired: dict[str, Any]) -> None:
        self._index().forget(item_id)
        label = self.kind.endpoint.label
        try:
            self._send_changes(item_id, old, desired)
        except NotFoundError:
            raise ItemStateError(f"{label} {item_id} no longer exists in Tavus (deleted outside Pulumi); "
                                 "run `pulumi up --refresh` to recreate it") from None
        except InvalidRequestError as error:
            if error.status != 422:
                raise
            # Computed from state, but Tavus's document has another shape: recompute from it.
            live = self._client().get(item_id)
            if live is None:
                raise ItemStateError(f"{label} {item_id} was deleted while it was being updated") from None
            current = canon.managed_view(self.kind.canonical(live), desired)
            self._send_changes(item_id, current, desired)

    def _differing_fields(self, live: Mapping[str, Any], desired: dict[str, Any]) -> list[str]:
        held = canon.managed_view(self.kind.canonical(live), desired)
        return self.kind.changed_paths(held, desired)

    def _read_back(self, item_id: str, desired: dict[str, Any]) -> dict[str, Any]:
        label = self.kind.endpoint.label
        live = self._client().get(item_id)
        if live is None:
            raise ItemStateError(f"{label} {item_id} disappeared right after it was written")
        missing = self._differing_fields(live, desired)
        if missing:
            raise ItemStateError(
                f"Tavus did not keep these fields of {label} {item_id}: {', '.join(missing)}. Check their "
                "values against the Tavus API documentation (nothing else was applied)"
            )
        return {**live, self.kind.id_output: item_id}

    def _outputs(
        self, live: Mapping[str, Any], desired: dict[str, Any], options: Mapping[str, Any]
    ) -> dict[str, Any]:
        live_body = self.kind.canonical(live)
        outs: dict[str, Any] = canon.managed_view(live_body, desired)
        outs[self.kind.id_output] = live[self.kind.id_output]
        outs["created_at"] = live.get("created_at")
        outs["updated_at"] = live.get("updated_at")
        outs["unmanaged"] = canon.unmanaged_fields(live_body, desired)
        for key in self.kind.status_outputs:  # outputs only: never compared, so never drift
            outs[key] = live.get(key)
        outs.update(options)  # kept in state, so the next diff sees an option change
        return outs


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


def _warn(message: str) -> None:
    # The engine forwards the provider's stderr as a diagnostic on the resource.
    print(f"warning: {message}", file=sys.stderr, flush=True)


def _recrawl_requested(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """A new `pulumi.recrawl` value (setting one for the first time counts; removing it does not)."""
    new = news.get(RECRAWL_INPUT)
    return new is not None and new != olds.get(RECRAWL_INPUT)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
