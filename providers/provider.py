"""The dynamic provider behind `tavus:Persona`: `ItemProvider` (providers/item_provider.py, the
behaviour every kind shares) plus what only personas have.

- Secrets. They arrive here as plaintext (the engine strips secret markers) and go back at exactly
  the paths they came in, so the engine re-marks them as secrets. Tavus masks them on read: a
  masked value is never compared, stored or sent; the key is carried over from state, and a
  fingerprint of what Tavus showed (`shown_secrets`) reveals a key changed in the web UI.
- The collection is a setting (`tavus:pathPrefix`: `/v2/personas` or `/v2/pals`).
- Web-editor drafts: Tavus answers a PATCH with 409 while someone holds unpublished edits; the
  run stops with one line, unless the stack allows overwriting them (`tavus:overrideDrafts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from providers import canonical as canon
from providers.endpoints import Endpoint
from providers.errors import DraftConflictError, PersonaDraftConflict, PersonaStateError
from providers.facts import persona
from providers.item_provider import ItemProvider
from providers.settings import OVERRIDE_DRAFTS_CONFIG
from providers.spec import Diagnostic, validate_body

__all__ = ["PersonaDraftConflict", "PersonaProvider", "PersonaStateError"]


class PersonaProvider(ItemProvider):
    """Creates, diffs, updates, reads and deletes one Tavus persona per resource."""

    kind = persona.KIND
    state_error = PersonaStateError

    def _endpoint(self) -> Endpoint:
        return self._rt().client.endpoint  # personas or PALs, as the stack's settings say

    def _validate(self, body: Mapping[str, Any]) -> list[Diagnostic]:
        return validate_body(body)

    def _outputs(
        self,
        live: Mapping[str, Any],
        desired: dict[str, Any],
        adopt: str | None,
        previous: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The managed body with the file's secrets in place of Tavus's masks, plus computed keys.

        `previous` holds what the last write recorded of the secrets Tavus showed (`shown_secrets`):
        on a refresh, a key changed in the web UI reads as drift.
        """
        live_body = self.kind.canonical(live)
        live_view = canon.managed_view(live_body, desired)
        shown = (previous or {}).get("shown_secrets")
        outs = canon.carry_secrets(live_view, desired, shown)
        outs["secret_fingerprints"] = canon.secret_fingerprints(outs)
        outs["shown_secrets"] = canon.shown_secrets(live_view)
        return self._with_computed(outs, live, live_body, desired, adopt)

    def _differing_fields(self, live: Mapping[str, Any], desired: dict[str, Any]) -> list[str]:
        """The file's fields whose values `live` does not hold. Secrets count as held: Tavus masks them."""
        held = canon.carry_secrets(canon.managed_view(self.kind.canonical(live), desired), desired)
        return canon.changed_paths(held, desired)

    def _send_patch(self, item_id: str, operations: list[dict[str, Any]]) -> None:
        """PATCH; on 409 (unpublished web-editor edits) stop with one line, or overwrite them when the
        stack says so (`tavus:overrideDrafts`)."""
        try:
            self._client().patch(item_id, operations, force=self._rt().settings.override_drafts)
        except DraftConflictError:
            raise PersonaDraftConflict(
                f"persona {item_id} has unpublished edits in the Tavus web editor (HTTP 409 maker_changes); "
                "nothing was changed. Publish or discard them in Tavus and run again, or let this stack "
                f"overwrite such drafts: `pulumi config set {OVERRIDE_DRAFTS_CONFIG} true`"
            ) from None
