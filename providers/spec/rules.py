"""Rules of one persona file beyond types and enums (README: The persona file): secrets, LLM, tools, size."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final
from urllib.parse import SplitResult, urlsplit, urlunsplit

from providers.canonical import is_secret_path
from providers.facts.persona import TAVUS_MODEL_PREFIX, is_custom_llm, llm_route, suggested_secret_key
from providers.spec.model import Ref
from providers.spec.report import FileReport
from providers.spec.schema_check import near_miss

KeyPath = tuple[str, ...]  # a path through mappings only

KNOWN_TAVUS_MODELS: Final = (
    "tavus-glm-4.7",
    "tavus-gpt-oss",
    "tavus-gemma-4",
    "tavus-gemini-2.5-flash",
    "tavus-gemini-3-flash",
    "tavus-claude-haiku-4.5",
    "tavus-gpt-5.2",
    "tavus-gpt-4.1",
    "tavus-gpt-4o",
    "tavus-gpt-4o-mini",
    "tavus-llama-4",
    "tavus-llama",
)
# Values Tavus still accepts but has retired, with what to use instead.
DEPRECATED_VALUES: Final[Mapping[KeyPath, Mapping[str, str]]] = {
    ("layers", "tts", "tts_engine"): {"playht": "use cartesia, elevenlabs or azure"},
    ("layers", "stt", "stt_engine"): {"tavus-advanced": "use tavus-auto (the default) or another engine"},
}
CHARS_PER_TOKEN: Final = 4
PROMPT_ERROR_CHARS: Final = 128_000
PROMPT_WARNING_CHARS: Final = 100_000
_LLM: Final = ("layers", "llm")
_PERCEPTION: Final = ("layers", "perception")


def check_rules(document: Mapping[str, Any], name: str, report: FileReport, resolved: bool = False) -> None:
    """`resolved`: references are already substituted (the provider's check), so secrets are plaintext."""
    check_options(document.get("pulumi"), report)
    if resolved:
        check_resolved_secrets(document, report)
    else:
        check_secrets(document, name, report)
    check_llm(document, name, report)
    check_tool_lists(document, report)
    check_prompt_size(document, report)
    check_deprecated(document, report)


def _value_at(document: Mapping[str, Any], path: KeyPath) -> Any:
    node: Any = document
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _mapping_at(document: Mapping[str, Any], path: KeyPath) -> Mapping[str, Any] | None:
    node = _value_at(document, path)
    return node if isinstance(node, Mapping) else None


# --------------------------------------------------------------------------------------------------
# options


def check_options(options: Any, report: FileReport) -> None:
    if not isinstance(options, Mapping):
        return
    for key, value in options.items():
        if isinstance(value, Ref):
            report.error(("pulumi", key), "options under `pulumi:` take literal values, not references")


# --------------------------------------------------------------------------------------------------
# secrets


def check_secrets(document: Mapping[str, Any], name: str, report: FileReport) -> None:
    """A secret-bearing path must hold a `{secret: KEY}` reference: secrets in git are the mistake
    this tool exists to prevent."""
    for path, value in _secret_values(document):
        if value is None or (isinstance(value, Ref) and value.kind == "secret"):
            continue
        key = suggested_secret_key(name, path)
        fix = f"write `{path[-1]}: {{secret: {key}}}` and run `pulumi config set --secret {key} <value>`"
        if isinstance(value, Ref):
            report.error(path, f"must be a secret, not {{config: {value.key}}} (config values are stored in "
                               f"plaintext); {fix}")
        else:
            report.error(path, f"must not be plaintext: secrets never go into git; {fix}")


def check_resolved_secrets(document: Mapping[str, Any], report: FileReport) -> None:
    for path, value in _secret_values(document):
        report.claim(path)  # the schema asks for {secret: KEY}, which resolution has replaced
        if value is not None and not isinstance(value, str):
            report.error(path, "must be a string")


def _secret_values(document: Mapping[str, Any]) -> list[tuple[KeyPath, Any]]:
    return [(path, value) for path, value in _members(document, ()) if is_secret_path(path)]


def _members(node: Mapping[str, Any], path: KeyPath) -> Iterator[tuple[KeyPath, Any]]:
    """Every (path, value) reachable through mappings (secret paths never run through lists)."""
    for key, value in node.items():
        yield (*path, key), value
        if isinstance(value, Mapping):
            yield from _members(value, (*path, key))


def _url_parts(url: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" in the host: not a URL at all
        return SplitResult("", "", url, "", "")


# --------------------------------------------------------------------------------------------------
# llm


def check_llm(document: Mapping[str, Any], name: str, report: FileReport) -> None:
    llm = _mapping_at(document, _LLM)
    if llm is None:
        return
    model = llm.get("model")
    if isinstance(model, str) and model.startswith(TAVUS_MODEL_PREFIX) and model not in KNOWN_TAVUS_MODELS:
        guess = near_miss(model, list(KNOWN_TAVUS_MODELS), cutoff=0.85)
        hint = f"did you mean `{guess}`? " if guess else ""
        report.warning(
            (*_LLM, "model"),
            f"`{model}` is not a Tavus-hosted model this tool knows; {hint}known: "
            f"{', '.join(KNOWN_TAVUS_MODELS)} (new models appear often, so this is only a warning)",
        )
    check_custom_llm(llm, suggested_secret_key(name, (*_LLM, "api_key")), report)
    base_url = llm.get("base_url")
    if isinstance(base_url, str):
        check_base_url(base_url, report)


def check_custom_llm(llm: Mapping[str, Any], key: str, report: FileReport) -> None:
    """Tavus answers 400 unless a custom (non-tavus-*) LLM has both base_url and api_key."""
    if not is_custom_llm(llm):
        return
    model = llm.get("model")
    custom_model = isinstance(model, str) and not model.startswith(TAVUS_MODEL_PREFIX)
    what = f"a custom LLM (model `{model}`)" if custom_model else "a custom LLM (base_url or api_key set)"
    if llm.get("base_url") is None:
        report.error((*_LLM, "base_url"), f"{what} needs `base_url`, e.g. https://api.openai.com/v1")
    if llm.get("api_key") is None:
        report.error(
            (*_LLM, "api_key"),
            f"{what} needs `api_key`: write `api_key: {{secret: {key}}}` and run "
            f"`pulumi config set --secret {key} <value>`",
        )


def check_base_url(base_url: str, report: FileReport) -> None:
    path = (*_LLM, "base_url")
    parts = _url_parts(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        report.error(path, f"`{base_url}` is not an http(s) URL; write e.g. https://api.openai.com/v1")
        return
    route = llm_route(parts.path)
    if route is not None:
        fixed = urlunsplit(parts._replace(path=parts.path.rstrip("/").removesuffix(route)))
        report.error(
            path,
            f"must not include the route `{route}` (Tavus appends /chat/completions itself); "
            f"write `base_url: {fixed}`",
        )


# --------------------------------------------------------------------------------------------------
# tools


def check_tool_lists(document: Mapping[str, Any], report: FileReport) -> None:
    tool_lists: list[KeyPath] = [(*_LLM, "tools")]
    perception = _mapping_at(document, _PERCEPTION) or {}
    tool_lists += [(*_PERCEPTION, key) for key in perception if key.endswith("_tools")]
    for path in tool_lists:
        tools = _value_at(document, path)
        if isinstance(tools, list):
            check_unique_tool_names(tools, path, report)


def check_unique_tool_names(tools: list[Any], path: KeyPath, report: FileReport) -> None:
    first_index: dict[str, int] = {}
    for index, tool in enumerate(tools):
        function = tool.get("function") if isinstance(tool, Mapping) else None
        name = function.get("name") if isinstance(function, Mapping) else None
        if not isinstance(name, str):
            continue
        if name in first_index:
            report.error(
                (*path, index, "function", "name"),
                f"tool name `{name}` is already used by {path[-1]}[{first_index[name]}]; tool names "
                "must be unique: rename one",
            )
        else:
            first_index[name] = index


# --------------------------------------------------------------------------------------------------
# prompt size and deprecations


def check_prompt_size(document: Mapping[str, Any], report: FileReport) -> None:
    texts = [document.get(key) for key in ("system_prompt", "context")]
    if not all(isinstance(t, str | None) for t in texts):
        return  # a reference or a type error: the size is unknown here
    chars = sum(len(t) for t in texts if isinstance(t, str))
    if chars <= PROMPT_WARNING_CHARS:
        return
    tokens = chars // CHARS_PER_TOKEN
    estimate = (
        f"system_prompt + context is {chars:,} characters, about {tokens:,} tokens (1 token ≈ "
        f"{CHARS_PER_TOKEN} characters); Tavus-hosted models accept 32,000 tokens and slow down past 25,000"
    )
    path = ("system_prompt",) if "system_prompt" in document else ("context",)
    if chars > PROMPT_ERROR_CHARS:
        report.error(path, f"{estimate}: shorten them below {PROMPT_ERROR_CHARS:,} characters, "
                           "or move reference material into documents (document_ids)")
    else:
        report.warning(path, f"{estimate}: consider shortening them or moving material into documents")


def check_deprecated(document: Mapping[str, Any], report: FileReport) -> None:
    for path, retired in DEPRECATED_VALUES.items():
        value = _value_at(document, path)
        if isinstance(value, str) and value in retired:
            report.warning(path, f"`{value}` is deprecated by Tavus; {retired[value]}")
