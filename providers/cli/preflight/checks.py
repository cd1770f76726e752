"""What `preflight` sends to a custom LLM and how it judges the answers.

Three request shapes, each what Tavus sends during a call: a plain streaming chat request; the same
offering the file's `tools`; and, with perception on, the messages perception adds (raven: a system
message with `<user_appearance>`, `<user_emotions>`, `<user_screenshare>`; basic: user messages
starting `VISUAL_SCENE:` and `USER_SPEECH:`). Every failure message says what is wrong and how to fix it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from providers.cli.preflight.probe import Exchange
from providers.facts.persona import llm_route

CHECKS = (
    "config", "reachable", "auth", "model", "request", "stream", "done", "latency", "tools", "perception",
)
RAVEN_MODELS = ("raven-0", "raven-1")
GREETING = "Hello! Please answer with one short sentence."


@dataclass(frozen=True)
class Target:
    """One persona's custom LLM, references resolved. repr=False on everything that may be secret."""

    name: str  # resource name, e.g. "storyteller"
    file: str
    persona_name: str
    model: str
    base_url: str
    api_key: str = field(repr=False)
    api_key_ref: str | None  # the `{secret: KEY}` key of layers.llm.api_key, for fix messages
    headers: dict[str, str] = field(repr=False)
    extra_body: dict[str, Any] = field(repr=False)
    tools: list[Any]
    perception_model: str | None
    system_prompt: str
    context: str

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    def request_headers(self) -> dict[str, str]:
        # The file's headers come last: a header the file sets wins, as it would at Tavus.
        return {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json", **self.headers}

    def body(self, messages: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
        # extra_body is merged into the top level of the body, as the OpenAI SDK's extra_body is.
        return {"model": self.model, "messages": messages, "stream": True, **extra, **self.extra_body}

    def system_message(self) -> dict[str, str]:
        text = "\n\n".join(part for part in (self.system_prompt, self.context) if part)
        return {"role": "system", "content": text or "You are a helpful assistant."}

    def plain_messages(self) -> list[dict[str, str]]:
        return [self.system_message(), {"role": "user", "content": GREETING}]

    def perception_messages(self) -> list[dict[str, str]] | None:
        if self.perception_model in RAVEN_MODELS:
            observed = (
                "<user_appearance>A person in their thirties, sitting at a desk, looking at the camera."
                "</user_appearance>\n<user_emotions>calm, attentive</user_emotions>\n"
                "<user_screenshare>The user is not sharing their screen.</user_screenshare>"
            )
            return [self.system_message(), {"role": "system", "content": observed},
                    {"role": "user", "content": GREETING}]
        if self.perception_model == "basic":
            return [self.system_message(),
                    {"role": "user", "content": "VISUAL_SCENE: A person sitting at a desk in a bright room."},
                    {"role": "user", "content": f"USER_SPEECH: {GREETING}"}]
        return None


@dataclass
class Check:
    check: str
    status: str  # pass | fail | warn | skip
    message: str


class Verdict:
    """The checks of one persona, in CHECKS order; a check not reached stays `skip`."""

    def __init__(self) -> None:
        self.checks = {name: Check(name, "skip", "not checked: an earlier check failed") for name in CHECKS}

    def set(self, name: str, status: str, message: str) -> None:
        self.checks[name] = Check(name, status, message)

    def failed(self) -> bool:
        return any(c.status == "fail" for c in self.checks.values())

    def as_list(self) -> list[Check]:
        return list(self.checks.values())


def _snippet(exchange: Exchange) -> str:
    text = " ".join(exchange.body.split())
    return text[:300] + ("..." if len(text) > 300 else "") if text else "empty body"


def _mentions_model(exchange: Exchange) -> bool:
    text = exchange.body.lower()
    return "model" in text and "invalid url" not in text


def judge_plain(
    target: Target, exchange: Exchange, verdict: Verdict, timeout: float, ttft_warn_ms: float
) -> None:
    """Fill reachable..latency from the plain request; stops at the first failure."""
    if not _judge_http(target, exchange, verdict, timeout):
        return
    if not _judge_stream(exchange, verdict, timeout):
        return
    ttft, total = exchange.ttft_ms, exchange.total_ms
    if ttft is not None and ttft > ttft_warn_ms:
        verdict.set("latency", "warn",
                    f"first token after {ttft:.0f} ms (threshold {ttft_warn_ms:g} ms; total {total:.0f} ms): "
                    "callers hear silence this long before every reply; use a faster model, a closer region "
                    "or a smaller prompt, or raise --ttft-warn-ms if this is expected")
    else:
        verdict.set("latency", "pass", f"first token after {ttft:.0f} ms, total {total:.0f} ms")


def _judge_http(target: Target, ex: Exchange, verdict: Verdict, timeout: float) -> bool:
    url = target.url
    if ex.failure == "connect":
        verdict.set("reachable", "fail",
                    f"could not connect to {url} ({ex.failure_text}): check the host and port of "
                    "layers.llm.base_url; Tavus calls it from its servers, so it must be reachable "
                    "from the internet")
        return False
    if ex.failure == "timeout":
        verdict.set("reachable", "fail",
                    f"no answer from {url} within {timeout:g}s: the endpoint accepted the connection but "
                    "did not respond; check that it is up, or raise --timeout if it is just slow")
        return False
    if ex.failure == "transport":
        verdict.set("reachable", "fail", f"the request to {url} failed ({ex.failure_text}): check base_url "
                    "(scheme, host, TLS certificate) and that the endpoint is up")
        return False
    status = ex.status
    if status is not None and 300 <= status < 400:
        verdict.set("reachable", "fail",
                    f"{status} redirect from {url} to {ex.location}: set layers.llm.base_url to the address "
                    "it redirects to, without /chat/completions (a POST does not survive every redirect)")
        return False
    if status == 404 and not _mentions_model(ex):
        verdict.set("reachable", "fail", _route_message(target, ex))
        return False
    if status == 429 or (status is not None and status >= 500):
        what = "rate-limited the request" if status == 429 else "failed"
        verdict.set("reachable", "fail",
                    f"the endpoint {what} ({status} on {url}: {_snippet(ex)}): it is reachable but not "
                    "answering chat requests; check its logs and limits, then run preflight again")
        return False
    verdict.set("reachable", "pass", f"HTTP {status} from {url}")
    if status in (401, 403):
        verdict.set("auth", "fail", _auth_message(target, ex))
        return False
    verdict.set("auth", "pass", "the api key was accepted")
    if status in (400, 404, 422) and _mentions_model(ex):
        verdict.set("model", "fail",
                    f"the endpoint does not accept model `{target.model}` ({status}: {_snippet(ex)}): set "
                    "layers.llm.model to a model this endpoint serves (its GET /models lists them)")
        return False
    verdict.set("model", "pass", f"model `{target.model}` accepted")
    if status != 200:
        verdict.set("request", "fail",
                    f"the endpoint rejected a plain streaming chat request ({status}: {_snippet(ex)}): "
                    "check layers.llm.extra_body (its keys go into every request body) and that the endpoint "
                    "speaks the OpenAI chat-completions API")
        return False
    verdict.set("request", "pass", "the chat request was accepted (HTTP 200)")
    return True


def _route_message(target: Target, ex: Exchange) -> str:
    route = llm_route(target.base_url)
    hint = (f"base_url ends with `{route}`; remove it" if route else
            "did you include /chat/completions, or leave out a version segment such as /v1?")
    return (f"404 on {target.url}: base_url must be the API root without the route (Tavus appends "
            f"/chat/completions itself) — {hint} (e.g. https://api.openai.com/v1). "
            f"The endpoint said: {_snippet(ex)}")


def _auth_message(target: Target, ex: Exchange) -> str:
    key = target.api_key_ref
    where = (f"the `{{secret: {key}}}` value (`pulumi config set --secret {key} <key>`)" if key
             else "layers.llm.api_key")
    return (f"{ex.status} from {target.url}: the endpoint refused the api key ({_snippet(ex)}): "
            f"check {where}, and any auth header in layers.llm.headers; the key is sent as "
            "`Authorization: Bearer <api_key>`")


def _judge_stream(ex: Exchange, verdict: Verdict, timeout: float) -> bool:
    if not ex.is_stream:
        kind = ex.content_type.split(";")[0] or "no content type"
        verdict.set("stream", "fail",
                    f"the endpoint answered {kind}, not a stream: Tavus needs stream=true support "
                    "(server-sent events, Content-Type text/event-stream, `data: {...}` chunks); "
                    "enable streaming on the server")
        return False
    if ex.bad_event is not None or ex.failure == "transport":
        problem = ex.bad_event or ex.failure_text
        verdict.set("stream", "fail",
                    f"the stream is not in the OpenAI chunk format ({problem}): Tavus reads "
                    '`data: {"choices":[{"delta":{"content":"..."}}]}` events; serve the OpenAI '
                    "chat.completion.chunk format")
        return False
    if ex.content_events == 0 and ex.failure is None:
        verdict.set("stream", "fail",
                    "the stream carried no content (no chunk with `choices[0].delta.content`): the replica "
                    "would say nothing; check that the endpoint generates text for this model")
        return False
    verdict.set("stream", "pass", f"text/event-stream with {ex.events} OpenAI chunk(s)")
    if not ex.done:
        if ex.failure == "stream_timeout":
            text = (f"the stream did not finish within {timeout:g}s and never sent `data: [DONE]`: end every "
                    "stream with `data: [DONE]` and close it (raise --timeout if the answers are just long)")
        else:
            text = ("the stream ended without `data: [DONE]`: end every stream with `data: [DONE]` as OpenAI "
                    "does; Tavus treats a stream without it as cut off")
        verdict.set("done", "fail", text)
        return False
    verdict.set("done", "pass", "ended with data: [DONE]")
    return True


def judge_extra(target: Target, exchange: Exchange, timeout: float,
                rejected: Callable[[Exchange], str]) -> tuple[str, str | None]:
    """(status, problem) of a tools/perception request: any failure of the plain checks, worded by `rejected`
    for a 4xx answer (the endpoint refused this shape specifically)."""
    scratch = Verdict()
    if exchange.status is not None and 400 <= exchange.status < 500 and exchange.status != 429:
        return "fail", rejected(exchange)
    judge_plain(target, exchange, scratch, timeout, ttft_warn_ms=float("inf"))
    failed = next((c for c in scratch.as_list() if c.status == "fail"), None)
    return ("fail", failed.message) if failed else ("pass", None)


def tools_rejected(target: Target) -> Callable[[Exchange], str]:
    def message(ex: Exchange) -> str:
        return (f"the endpoint rejected a request offering the file's {len(target.tools)} tool(s) "
                f"({ex.status}: {_snippet(ex)}): Tavus sends layers.llm.tools with every request, so calls "
                "would fail; use a model/endpoint with OpenAI function calling (`tools`), "
                "or remove layers.llm.tools")
    return message


def perception_rejected(target: Target) -> Callable[[Exchange], str]:
    def message(ex: Exchange) -> str:
        if target.perception_model == "basic":
            shape = "consecutive user messages starting `VISUAL_SCENE:` and `USER_SPEECH:`"
            fix = "the endpoint must accept consecutive user messages"
        else:
            shape = ("a second system message with <user_appearance>, <user_emotions> and <user_screenshare> "
                     "tags")
            fix = "the endpoint must accept more than one system message"
        return (f"the endpoint rejected the messages perception `{target.perception_model}` adds ({shape}) "
                f"({ex.status}: {_snippet(ex)}): {fix}, or set layers.perception.perception_model: off")
    return message
