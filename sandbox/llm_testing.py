"""Client of the sandbox's local chat-completions endpoint admin (`/_sandbox/llm`), for tests and the demo.

    llm = LlmAdmin(sandbox.url)
    llm.set_scenario("no-stream", stream=False)
    base_url = llm.base_url("no-stream")       # http://127.0.0.1:PORT/_llm/no-stream/v1
    ...
    llm.requests("no-stream")                   # the chat requests that scenario received
"""

from __future__ import annotations

from typing import Any, cast

import httpx

from ._llm import LLM_ADMIN_PREFIX, LLM_PREFIX


class LlmAdmin:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url + LLM_ADMIN_PREFIX, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> LlmAdmin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def base_url(self, scenario: str) -> str:
        """The `layers.llm.base_url` of a persona that should talk to this scenario."""
        return f"{self.url}{LLM_PREFIX}/{scenario}/v1"

    def set_scenario(self, name: str, **switches: Any) -> dict[str, Any]:
        """Replace the scenario's switches (unnamed ones go back to a healthy endpoint)."""
        response = self._http.put(f"/scenarios/{name}", json=switches)
        response.raise_for_status()
        return cast(dict[str, Any], response.json())

    def requests(self, scenario: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        """Recorded chat requests (`seq`, `scenario`, `path`, `headers`, `body`, `status`, `outcome`)."""
        response = self._http.get("/requests", params={"since": since})
        response.raise_for_status()
        records = cast(list[dict[str, Any]], response.json()["requests"])
        return [r for r in records if scenario is None or r["scenario"] == scenario]

    def reset(self) -> None:
        self._http.post("/reset").raise_for_status()
