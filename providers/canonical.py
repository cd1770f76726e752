"""The one canonical form of a Tavus persona body, shared by check, read, diff and export.

Every comparison between a desired persona (a file after reference substitution) and a live one
(Tavus's GET) goes through this module, so that the two sides are normalised by exactly the same
code: duplicated normalisation is the classic source of phantom diffs.

The pipeline the provider runs on read/diff is::

    view = carry_secrets(managed_view(live, desired), desired)
    changed_paths(view, canonical(desired))      # drift / DiffResult
    json_patch(view, canonical(desired))         # the PATCH body

Everything here is pure: no network, no Pulumi, inputs are never mutated.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

Path = tuple[str, ...]

# Fields the server owns. Tavus returns them on GET; a file never manages them.
SERVER_FIELDS: Final[frozenset[str]] = frozenset(
    {"persona_id", "pal_id", "created_at", "updated_at", "conferencing_email", "publish_url"}
)

# Fields Tavus documents as booleans but sometimes sends (and shows in its own docs) as the strings
# "true"/"false". Matched by full path: a custom LLM's extra_body may legitimately hold strings.
BOOLEAN_FIELDS: Final[frozenset[Path]] = frozenset(
    {
        ("layers", "llm", "speculative_inference"),
        ("layers", "tts", "tts_emotion_control"),
        ("layers", "tts", "voice_settings", "use_speaker_boost"),
        ("layers", "stt", "smart_turn_detection"),
    }
)

# Documented server defaults. Tavus leaves default-valued fields out of GET responses, so a file that
# spells out a default must not see a phantom diff (docs/persona-api.md, "Defaults may be left out").
# Only stable, documented defaults belong here: the default LLM model changes monthly, so it is absent.
SERVER_DEFAULTS: Final[Mapping[Path, Any]] = {
    ("pipeline_mode",): "full",
    ("layers", "llm", "speculative_inference"): True,
    ("layers", "tts", "tts_engine"): "cartesia",
    ("layers", "tts", "tts_emotion_control"): True,
    ("layers", "stt", "stt_engine"): "tavus-auto",
    ("layers", "stt", "smart_turn_detection"): True,
    ("layers", "stt", "participant_pause_sensitivity"): "medium",
    ("layers", "stt", "participant_interrupt_sensitivity"): "medium",
    ("layers", "perception", "perception_model"): "raven-1",
    ("layers", "conversational_flow", "turn_detection_model"): "sparrow-1",
    ("layers", "conversational_flow", "turn_taking_patience"): "medium",
    ("layers", "conversational_flow", "replica_interruptibility"): "medium",
    ("layers", "conversational_flow", "pal_interruptibility"): "medium",
    ("layers", "conversational_flow", "turn_commitment"): "medium",
    ("layers", "conversational_flow", "active_listening"): "off",
    ("layers", "conversational_flow", "voice_isolation"): "near",
    ("layers", "conversational_flow", "idle_engagement"): "off",
}

# Secret-bearing paths; "*" stands for any key. Values there are write-only (Tavus masks them on read).
SECRET_PATHS: Final[tuple[Path, ...]] = (
    ("layers", "llm", "api_key"),
    ("layers", "tts", "api_key"),
    ("layers", "llm", "headers", "*"),
)
SECRET_PATH_DESCRIPTION: Final[str] = (
    "layers.llm.api_key, layers.tts.api_key and every value of layers.llm.headers"
)

_MASK_RUN = re.compile(r"\*{3,}|•{3,}")
_MASK_WORDS: Final[frozenset[str]] = frozenset({"[REDACTED]", "REDACTED"})
_LIST_ITEM = "[]"  # path marker for list items, so list contents never match a field path
_MISSING: Final[Any] = object()


def is_secret_path(path: Sequence[str]) -> bool:
    """True for layers.llm.api_key, layers.tts.api_key and layers.llm.headers.<any>."""
    return any(
        len(path) == len(pattern) and all(p in ("*", part) for p, part in zip(pattern, path, strict=True))
        for pattern in SECRET_PATHS
    )


def is_masked(value: Any) -> bool:
    """True for what Tavus sends instead of a secret: a run of 3+ '*' or '•', or "[REDACTED]"."""
    if not isinstance(value, str):
        return False
    return bool(_MASK_RUN.search(value)) or value.strip() in _MASK_WORDS


def fingerprint(secret: str) -> str:
    """A non-secret fingerprint that lets reviewers see that a key changed, not what it is."""
    digest = hashlib.sha256(b"tavus-personas:" + secret.encode("utf-8")).hexdigest()
    return "sha256:" + digest[:12]


# --------------------------------------------------------------------------------------------------
# canonical form


def canonical(body: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical form of a persona body (desired after substitution, or live from GET).

    Drops server-owned top-level fields (SERVER_FIELDS); drops keys whose value is None, [] or {}
    (after cleaning the children, so `{"stt": {"hotwords": None}}` disappears entirely); turns
    Tavus's string booleans into bools at BOOLEAN_FIELDS; sorts keys. Lists keep their order and
    their items (an item that cleans to {} stays, because positions in a list are meaningful).
    Idempotent and pure.
    """
    return _clean_mapping(body, ())


def _clean_mapping(mapping: Mapping[str, Any], path: Path) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key in sorted(mapping, key=str):
        if not path and key in SERVER_FIELDS:
            continue
        value = _clean(mapping[key], (*path, key))
        if not _is_empty(value):
            cleaned[key] = value
    return cleaned


def _clean(value: Any, path: Path) -> Any:
    if isinstance(value, Mapping):
        return _clean_mapping(value, path)
    if isinstance(value, list | tuple):
        return [_clean(item, (*path, _LIST_ITEM)) for item in value]
    if path in BOOLEAN_FIELDS and isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, dict | list) and not value)


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON sees it: 1 == 1.0, but True != 1 (Python's == says True == 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


# --------------------------------------------------------------------------------------------------
# live vs desired


def managed_view(live: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any]:
    """The live persona (canonical) projected onto the fields the desired file manages.

    Dicts recurse only into keys the desired body has; lists and scalars are taken wholesale.
    A key desired has but live lacks is absent from the view, except when Tavus left it out
    because it holds the server default (SERVER_DEFAULTS) and desired asks for exactly that
    default: then it is present with that value. A missing *subtree* is filled in only when every
    leaf desired sets in it is such a default; otherwise it stays absent, so the patch adds the
    whole subtree rather than leaves under a parent that does not exist live.

    A live parent object that holds none of the desired keys stays in the view as `{}`: it exists
    live, so patches must address its members, not replace it (which would wipe unmanaged fields).
    """
    return _project(canonical(live), canonical(desired), ())


def _project(live: Mapping[str, Any], desired: Mapping[str, Any], path: Path) -> dict[str, Any]:
    view: dict[str, Any] = {}
    for key, wanted in desired.items():
        here = (*path, key)
        if key in live:
            have = live[key]
            both_dicts = isinstance(wanted, dict) and isinstance(have, dict)
            view[key] = _project(have, wanted, here) if both_dicts else have
            continue
        defaulted = _all_defaults(wanted, here)
        if defaulted is not _MISSING:
            view[key] = defaulted
    return view


def _all_defaults(wanted: Any, path: Path) -> Any:
    """`wanted` if Tavus would omit it as all-default, else _MISSING."""
    if path in SERVER_DEFAULTS:
        return wanted if json_equal(SERVER_DEFAULTS[path], wanted) else _MISSING
    if isinstance(wanted, dict) and wanted:
        children = {key: _all_defaults(value, (*path, key)) for key, value in wanted.items()}
        return _MISSING if any(v is _MISSING for v in children.values()) else children
    return _MISSING


def unmanaged_fields(live: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any]:
    """The rest of the live persona: canonical fields the file does not set (for drift reports).

    Secrets are left out: Tavus masks them, and they must never be stored. The provider's
    `unmanaged` output and the drift command's comparison with it both come from here.
    """
    return _without_secrets(_rest(canonical(live), canonical(desired)), ())


def _without_secrets(body: Mapping[str, Any], prefix: Path) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in body.items():
        path = (*prefix, key)
        if not is_secret_path(path):
            kept[key] = _without_secrets(value, path) if isinstance(value, Mapping) else value
    return kept


def _rest(live: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any]:
    rest: dict[str, Any] = {}
    for key, have in live.items():
        if key not in desired:
            rest[key] = have
        elif isinstance(have, dict) and isinstance(desired[key], dict):
            nested = _rest(have, desired[key])
            if nested:
                rest[key] = nested
    return rest


def carry_secrets(
    live_view: Mapping[str, Any], previous: Mapping[str, Any], shown: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Replace every secret the live view holds with `previous`'s value at the same path.

    Tavus masks secrets on read, so a live secret is never stored: where `previous` (the desired
    body, or the last applied inputs) has a value, that value stands in for it; where `previous`
    has none, the live value is dropped. A secret path live does not have stays absent, so a diff
    against the desired body adds the key (e.g. after someone removed it in the web UI).

    `shown` maps dotted secret paths to `fingerprint()`s of what Tavus showed there when the
    provider last wrote the persona (see `shown_secrets`). Where Tavus now shows something else,
    someone changed the key outside Pulumi: the live value is kept, so the change shows as drift
    and the next `up` writes the key again. This assumes nothing about the mask's format; a mask
    that never varies simply hides such changes. Returns a new dict.
    """
    view = copy.deepcopy(dict(live_view))
    for path in list(_secret_leaves(view)):
        carried = _get(previous, path)
        parent = _get(view, path[:-1])
        if carried is _MISSING:
            del parent[path[-1]]
        elif not _changed_outside(shown, path, parent[path[-1]]):
            parent[path[-1]] = copy.deepcopy(carried)
    headers = _get(view, ("layers", "llm", "headers"))
    if isinstance(headers, dict) and not headers:
        del view["layers"]["llm"]["headers"]
    return view


def secret_fingerprints(body: Mapping[str, Any]) -> dict[str, str]:
    """`fingerprint()` of each secret value the body holds, keyed by dotted path."""
    return {
        ".".join(path): fingerprint(value)
        for path in _secret_leaves(body)
        if isinstance(value := _get(body, path), str)
    }


def shown_secrets(live_view: Mapping[str, Any]) -> dict[str, str]:
    """Fingerprints of what Tavus shows at each secret path (masked or not), keyed by dotted path."""
    return {
        ".".join(path): fingerprint(json.dumps(_get(live_view, path), sort_keys=True))
        for path in _secret_leaves(live_view)
    }


def _changed_outside(shown: Mapping[str, str] | None, path: Path, live: Any) -> bool:
    recorded = (shown or {}).get(".".join(path))
    return recorded is not None and recorded != fingerprint(json.dumps(live, sort_keys=True))


def _secret_leaves(body: Mapping[str, Any]) -> Iterator[Path]:
    for layer in ("llm", "tts"):
        if _get(body, ("layers", layer, "api_key")) is not _MISSING:
            yield ("layers", layer, "api_key")
    headers = _get(body, ("layers", "llm", "headers"))
    if isinstance(headers, Mapping):
        for name in headers:
            yield ("layers", "llm", "headers", name)


def _get(body: Any, path: Sequence[str]) -> Any:
    node = body
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return _MISSING
        node = node[key]
    return node


# --------------------------------------------------------------------------------------------------
# diff and patch


def changed_paths(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Dotted paths of the changes from `old` to `new`, sorted: exactly the paths json_patch writes.

    A list is one value (a changed tool list is `layers.llm.tools`), and a subtree present on one
    side only is one change at its highest missing key. Empty iff old and new are equal as JSON.
    """
    return sorted(".".join(path) for path in _diff_paths(old, new))


def json_patch(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """RFC 6902 operations turning canonical `old` into canonical `new`, one per changed path.

    - A changed or new object member is written with "add", never "replace": RFC 6902 `add` on an
      existing member replaces it, and it also succeeds when the live document lacks the member
      (Tavus omits default-valued fields on read, so `old` may show a member live does not hold).
    - A subtree missing from `old` is one "add" of the whole subtree at the highest missing key.
    - A key missing from `new` is one "remove".
    - Lists are atomic: a changed list is one "add" of the whole new list, never per-index ops.
    - Keys are escaped as JSON Pointer tokens ("~" -> "~0", "/" -> "~1").

    Secret re-send rule: every value comes from `new`, so an op that writes a layer whole (e.g.
    `/layers/llm` when live has no llm layer, or `/layers`) carries that layer's api_key: Tavus
    does not keep a stored key when the layer object is written again. Leaf ops leave the key
    alone. An op never carries a masked value: ValueError if a secret path in an op is_masked
    (that means a live read leaked into the desired side).
    """
    ops = [_operation(path, new) for path in _diff_paths(old, new)]
    for op in ops:
        _refuse_masked(op)
    return ops


def _diff_paths(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Path]:
    # Imported here: ~0.1 s that the program and a no-op preview never need.
    from deepdiff import DeepDiff

    # zip_ordered_iterables: compare lists index by index (deepdiff's hashing otherwise equates
    # [1] and [True]); threshold_to_diff_deeper=0: always descend, never swap a whole dict.
    diff = DeepDiff(dict(old), dict(new), view="tree", threshold_to_diff_deeper=0, zip_ordered_iterables=True)
    paths: set[Path] = set()
    for levels in diff.values():
        for level in levels:
            path = _object_member_path(level.path(output_format="list"), old, new)
            # deepdiff reports 1 vs 1.0 as a type change; JSON does not distinguish them.
            if not json_equal(_get(old, path), _get(new, path)):
                paths.add(path)
    return sorted(_outermost(paths), key=_pointer)


def _object_member_path(raw: Sequence[Any], old: Any, new: Any) -> Path:
    """The longest prefix of a deepdiff path that runs through objects only (lists are atomic)."""
    prefix: list[str] = []
    for step in raw:
        if not (_object_or_missing(old) and _object_or_missing(new)):
            break
        prefix.append(str(step))
        old, new = _child(old, step), _child(new, step)
    return tuple(prefix)


def _object_or_missing(node: Any) -> bool:
    return node is _MISSING or isinstance(node, Mapping)


def _child(node: Any, key: Any) -> Any:
    return node.get(key, _MISSING) if isinstance(node, Mapping) else _MISSING


def _outermost(paths: set[Path]) -> set[Path]:
    return {p for p in paths if not any(p[: len(q)] == q for q in paths if len(q) < len(p))}


def _operation(path: Path, new: Mapping[str, Any]) -> dict[str, Any]:
    value = _get(new, path)
    if value is _MISSING:
        return {"op": "remove", "path": _pointer(path)}
    return {"op": "add", "path": _pointer(path), "value": copy.deepcopy(value)}


def _pointer(path: Sequence[str]) -> str:
    return "".join("/" + key.replace("~", "~0").replace("/", "~1") for key in path)


def _refuse_masked(op: Mapping[str, Any]) -> None:
    if "value" not in op:
        return
    base = tuple(key.replace("~1", "/").replace("~0", "~") for key in op["path"].split("/")[1:])
    for path, leaf in _leaves(op["value"], base):
        if is_secret_path(path) and is_masked(leaf):
            raise ValueError(
                f"refusing to send a masked secret at /{'/'.join(path)}: the desired value must come "
                "from Pulumi config, never from a live read"
            )


def _leaves(value: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield from _leaves(child, (*path, key))
    else:
        yield path, value


# --------------------------------------------------------------------------------------------------
# lists of named items (objectives, guardrails)


def keyed_json_patch(
    old: Mapping[str, Any], new: Mapping[str, Any], keyed_lists: Mapping[str, str]
) -> list[dict[str, Any]]:
    """`json_patch`, except that a top-level list of named items (`data` of an objectives set,
    keyed by `objective_name`) whose items line up (same length, same names in the same order)
    is patched inside each changed item: editing one prompt is `/data/2/objective_prompt`, not
    the whole list. Lists that do not line up (an item added, removed, renamed or moved) are
    written whole, as `json_patch` does."""
    rest_old, rest_new, aligned = _split_aligned(old, new, keyed_lists)
    ops = json_patch(rest_old, rest_new)
    for key, pairs in aligned.items():
        for index, (before, after) in enumerate(pairs):
            prefix = f"{_pointer((key,))}/{index}"
            ops += [{**op, "path": prefix + op["path"]} for op in json_patch(before, after)]
    return ops


def keyed_changed_paths(
    old: Mapping[str, Any], new: Mapping[str, Any], keyed_lists: Mapping[str, str]
) -> list[str]:
    """`changed_paths` matching `keyed_json_patch`: `data[2].objective_prompt`."""
    rest_old, rest_new, aligned = _split_aligned(old, new, keyed_lists)
    paths = changed_paths(rest_old, rest_new)
    for key, pairs in aligned.items():
        for index, (before, after) in enumerate(pairs):
            paths += [f"{key}[{index}].{path}" for path in changed_paths(before, after)]
    return sorted(paths)


def _split_aligned(
    old: Mapping[str, Any], new: Mapping[str, Any], keyed_lists: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[tuple[Mapping[str, Any], Mapping[str, Any]]]]]:
    rest_old, rest_new = dict(old), dict(new)
    aligned: dict[str, list[tuple[Mapping[str, Any], Mapping[str, Any]]]] = {}
    for key, name_field in keyed_lists.items():
        before, after = old.get(key), new.get(key)
        if lined_up(before, after, name_field):
            aligned[key] = list(zip(before, after, strict=True))  # type: ignore[arg-type]
            del rest_old[key], rest_new[key]
    return rest_old, rest_new, aligned


def lined_up(before: Any, after: Any, name_field: str) -> bool:
    """Two lists of named items with the same names in the same order (so items pair up by index)."""
    if not (isinstance(before, list) and isinstance(after, list) and len(before) == len(after)):
        return False
    return all(_same_name(a, b, name_field) for a, b in zip(before, after, strict=True))


def _same_name(a: Any, b: Any, name_field: str) -> bool:
    if not (isinstance(a, Mapping) and isinstance(b, Mapping)):
        return False
    return name_field in a and a.get(name_field) == b.get(name_field)
