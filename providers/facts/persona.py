"""Facts about the Tavus persona that validation, export, preflight and the provider share."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from providers.endpoints import persona_endpoint
from providers.kind import Kind

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


# The persona as a kind of item. Its collection's path is a setting (`tavus:pathPrefix`: personas
# or PALs), so the provider takes the endpoint from its client; this one is the default.
KIND: Final = Kind(
    folder="personas",
    type_name="Persona",
    endpoint=persona_endpoint(),
    schema_file="persona.schema.json",
    adopt_input="adopt_persona_id",
    extra_outputs=("secret_fingerprints", "shown_secrets"),
    qualified_names=False,
    title_field="persona_name",
)


def suggested_secret_key(resource_name: str, path: Sequence[str | int]) -> str:
    """The config key to suggest for the secret at `path` of the persona file `resource_name`.

    camelCase of the resource name, the layer and the field: `storytellerLlmApiKey` for
    layers.llm.api_key, `storytellerTtsApiKey` for layers.tts.api_key and
    `storytellerLlmHeaderXOrg` for layers.llm.headers.X-Org. `validate` suggests it for a plaintext
    key and `export` writes it where Tavus masked one, so a file gets the same key from both.
    """
    parts = [str(part) for part in path[1:]]  # ("llm", "api_key") or ("llm", "headers", NAME)
    if parts[-2:-1] == ["headers"]:
        parts = [parts[0], "header", parts[-1]]
    stem = camel(resource_name)
    if not stem[:1].isalpha():  # a config key starts with a letter
        stem = "persona" + camel(resource_name, upper_first=True)
    return stem + "".join(camel(part, upper_first=True) for part in parts)


def camel(text: str, upper_first: bool = False) -> str:
    """"Front Desk Receptionist" -> "frontDeskReceptionist"; "api_key" -> "ApiKey" with upper_first.

    Any run of characters other than ASCII letters and digits separates words.
    """
    words = [word for word in re.split(r"[^0-9A-Za-z]+", text) if word]
    joined = "".join(word[:1].upper() + word[1:].lower() for word in words)
    return joined if upper_first else joined[:1].lower() + joined[1:]


# -- the custom LLM layer (layers.llm) -------------------------------------------------------------

# Tavus-hosted models are named `tavus-*`; any other model is a custom (bring-your-own) LLM.
TAVUS_MODEL_PREFIX = "tavus-"
# Routes of OpenAI-compatible APIs. Tavus appends /chat/completions to base_url itself, so a base_url
# that already ends with one of these is wrong.
LLM_ROUTES = ("/chat/completions", "/completions", "/responses")


def is_custom_llm(llm: Mapping[str, Any]) -> bool:
    """True when `layers.llm` describes a custom LLM: a model that is not `tavus-*`, or a base_url or
    api_key set. Tavus then requires both base_url and api_key. A model given as a reference is
    not judged: it may resolve to a Tavus model."""
    model = llm.get("model")
    custom_model = isinstance(model, str) and not model.startswith(TAVUS_MODEL_PREFIX)
    return custom_model or llm.get("base_url") is not None or llm.get("api_key") is not None


def llm_route(url_path: str) -> str | None:
    """The route a base_url (or its path) wrongly ends with, e.g. `/chat/completions`; else None."""
    trimmed = url_path.rstrip("/")
    return next((route for route in LLM_ROUTES if trimmed.endswith(route)), None)
