"""Exceptions raised by tavus-personas: the one place the hierarchy is documented.

::

    TavusPersonasError(Exception)          base of everything this project raises
    ├── TavusAPIError                      Tavus answered with an HTTP error (.status .method .path .message)
    │   ├── AuthenticationError            401: the api key was refused
    │   ├── RateLimitedError               429 still answered after the retries
    │   ├── ServerError                    5xx still answered after the retries
    │   ├── InvalidRequestError            any other 4xx (400 validation, 422 patch format, ...)
    │   │   ├── NotFoundError              400 "Invalid <id field>" or 404: the item is gone
    │   │   │   └── PersonaNotFoundError   ... and the item is a persona
    │   │   └── DraftConflictError         409 on PATCH: someone holds unpublished edits of the
    │   │                                  persona in Tavus's web editor
    │   └── UnexpectedResponseError        a status or body the client cannot interpret (e.g. a 302,
    │                                      or a 200 whose body is not the documented JSON)
    ├── TavusConnectionError               network failure / timeout still failing after the retries
    │                                      (.method .path .cause_name, e.g. "ReadTimeout")
    ├── AmbiguousCreateError               a POST whose outcome could not be determined, even after
    │                                      looking for the persona by name (.persona_name .reason)
    ├── ItemStateError                     (provider) Tavus does not hold what the provider wrote or
    │   │                                  expected: read-back, adoption, a same-named item
    │   └── PersonaStateError              ... for a persona
    │       └── PersonaDraftConflict       a PATCH refused with 409: unpublished web-editor edits
    ├── InvalidSettingError                a provider setting (e.g. tavus:timeoutSeconds) has a value the
    │                                      provider cannot use; also a ValueError
    ├── MissingApiKeyError                 no Tavus API key in stack config or the environment
    ├── CliError                           a `python -m providers` command failed; it prints the message
    │   │                                  in one line and exits 1 (e.g. a `pulumi` run that failed)
    │   └── StackConfigError               the stack's config could not be read (`pulumi config` failed)
    └── InvalidPersonaFilesError           (providers.program) persona files or stack config are invalid;
                                           also a pulumi.RunError, so `pulumi up` shows no traceback

``str(error)`` always names the status (where there is one), the method, the path and Tavus's own
message, e.g. ``Tavus API error 400 on PATCH /v2/personas/p1234567890a: Bad Request. ...``.

Secrets never reach these objects: the client passes every text through its redactor (api key,
secret values it sent) *before* building an exception, and never chains the httpx exception, whose
request carries the ``x-api-key`` header. Only plain strings and ints are stored here.
"""

from __future__ import annotations

__all__ = [
    "AmbiguousCreateError",
    "AuthenticationError",
    "CliError",
    "DraftConflictError",
    "InvalidRequestError",
    "InvalidSettingError",
    "ItemStateError",
    "MissingApiKeyError",
    "NotFoundError",
    "PersonaDraftConflict",
    "PersonaNotFoundError",
    "PersonaStateError",
    "RateLimitedError",
    "ServerError",
    "StackConfigError",
    "TavusAPIError",
    "TavusConnectionError",
    "TavusPersonasError",
    "UnexpectedResponseError",
]


class TavusPersonasError(Exception):
    """Base class of every exception tavus-personas raises."""


class TavusAPIError(TavusPersonasError):
    """Tavus answered, with a status the call cannot treat as success."""

    def __init__(self, status: int, method: str, path: str, message: str) -> None:
        self.status = status
        self.method = method
        self.path = path
        self.message = message
        super().__init__(f"Tavus API error {status} on {method} {path}: {message}")


class AuthenticationError(TavusAPIError):
    """401: the api key is missing, wrong or revoked."""


class RateLimitedError(TavusAPIError):
    """429, still answered after the client's retries."""


class ServerError(TavusAPIError):
    """5xx, still answered after the client's retries."""


class InvalidRequestError(TavusAPIError):
    """Any other 4xx: the request itself was refused (validation, patch format, ...)."""


class NotFoundError(InvalidRequestError):
    """The item does not exist (Tavus documents 400 "Invalid <id field>"; 404 is possible)."""


class PersonaNotFoundError(NotFoundError):
    """The persona does not exist (Tavus documents 400 "Invalid persona_id"; 404 is possible)."""


class DraftConflictError(InvalidRequestError):
    """409 on PATCH: Tavus holds unpublished web-editor edits of the persona (``maker_changes``).

    Sending the patch with ``?force=true`` overwrites them; the provider does so only when the stack
    allows it (``tavus:overrideDrafts``)."""


class UnexpectedResponseError(TavusAPIError):
    """A status or body outside the documented contract (e.g. a redirect, or non-JSON on a 200)."""


class TavusConnectionError(TavusPersonasError):
    """The request could not be completed: network failure or timeout, after the retries."""

    def __init__(self, method: str, path: str, cause_name: str, detail: str = "", attempts: int = 1) -> None:
        self.method = method
        self.path = path
        self.cause_name = cause_name
        self.detail = detail
        self.attempts = attempts
        tried = "1 attempt" if attempts == 1 else f"{attempts} attempts"
        suffix = f": {detail}" if detail else ""
        # A timeout waiting for the answer means the request did reach Tavus; say so.
        what = "No answer from Tavus in time" if cause_name == "ReadTimeout" else "Could not reach Tavus"
        super().__init__(f"{what} on {method} {path} ({tried}): {cause_name}{suffix}")


class AmbiguousCreateError(TavusPersonasError):
    """A create whose outcome is unknown: the persona may or may not exist now.

    Raised instead of re-sending the POST, because a blind retry could create a duplicate.
    """

    def __init__(self, method: str, path: str, persona_name: str | None, reason: str) -> None:
        self.method = method
        self.path = path
        self.persona_name = persona_name
        self.reason = reason
        name = repr(persona_name) if persona_name is not None else "(no persona_name)"
        super().__init__(
            f"Outcome of {method} {path} for persona_name {name} is unknown: {reason}. "
            "Check the Tavus account for a persona with that name before retrying: "
            "adopt it by id or delete it, so that no duplicate is created."
        )


class InvalidSettingError(TavusPersonasError, ValueError):
    """A provider setting has a value the provider cannot use; the message names the key and the fix."""


class MissingApiKeyError(TavusPersonasError):
    """No Tavus API key in stack config or the environment."""

    def __init__(self) -> None:
        super().__init__(
            "no Tavus API key: run `pulumi config set --secret tavus:apiKey <key>` "
            "(or export TAVUS_API_KEY for this shell)"
        )


class CliError(TavusPersonasError):
    """A failure a `python -m providers` command reports in one line and exits 1 on."""


class StackConfigError(CliError):
    """The stack's config could not be read; the message says why (it never quotes a config value)."""


class ItemStateError(TavusPersonasError):
    """Tavus does not hold what the provider wrote or expected (read-back, adoption, deletion)."""


class PersonaStateError(ItemStateError):
    """The same, for a persona."""


class PersonaDraftConflict(PersonaStateError):
    """Tavus refused a PATCH because someone holds unpublished edits of the persona (409); the
    message says how to proceed (publish or discard, or `tavus:overrideDrafts`)."""
