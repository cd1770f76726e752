"""The state one sandbox app shares between its API and admin routes."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import _persona as persona
from . import _refs as refs
from ._faults import FaultInjector
from ._llm import LlmState
from ._reqlog import RequestLog
from ._store import Store
from .config import Settings


@dataclass
class SandboxState:
    settings: Settings
    store: Store
    faults: FaultInjector
    log: RequestLog = field(default_factory=RequestLog)
    clock: persona.Clock = field(default_factory=persona.Clock)
    llm: LlmState = field(default_factory=LlmState)  # the local chat-completions endpoint (_llm.py)

    @classmethod
    def open(cls, settings: Settings) -> SandboxState:
        state = cls(settings=settings, store=Store(settings.db_path), faults=FaultInjector(settings.faults))
        state.sync_system_personas()
        return state

    def new_id(self) -> str:
        while True:
            candidate = persona.new_persona_id()
            if not self.store.exists(candidate):
                return candidate

    def sync_system_personas(self) -> None:
        """Make the stored system personas match the `system_personas` switch."""
        self.store.delete_type("system")
        if self.settings.system_personas:
            for doc in persona.SYSTEM_PERSONAS:
                self.store.upsert(dict(doc), "system")

    def unlink_dictionary(self, dictionary_id: str) -> list[str]:
        """Null `layers.tts.pronunciation_dictionary_id` wherever it names `dictionary_id`; the ids."""
        changed: list[str] = []
        docs, _ = self.store.page(None, limit=1_000_000, offset=0)
        for doc in docs:
            if refs.referencing_dictionary(doc, dictionary_id):
                doc["layers"]["tts"]["pronunciation_dictionary_id"] = None
                doc["updated_at"] = self.clock.now()
                self.store.update(doc["persona_id"], doc)
                changed.append(doc["persona_id"])
        return changed

    def close(self) -> None:
        self.store.close()
