"""Tavus facts about knowledge-base documents (`/v2/documents`; docs/graph-api.md).

A document is created from a `document_url` (one file, or a website with `crawl`) and then
processed asynchronously: `started` -> `processing` -> `ready`, or `error` with `error_message`.
A persona uses documents with `document_ids` (by id) or `document_tags` (by tag). Only
`document_name` and `tags` can change afterwards (a plain-body PATCH; tags overwrite); another
`document_url` or `crawl` is another document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit

from providers import canonical as canon
from providers.endpoints import Endpoint
from providers.kind import RECRAWL_INPUT, Kind

# Tavus's documented file formats, judged by the URL's extension (a URL without one is judged by
# content at Tavus); a crawl starts at a web page, whose URL is not checked.
FORMATS: Final = ("pdf", "txt", "docx", "doc", "png", "jpg", "pptx", "csv", "xlsx")
MAX_FILE_MB: Final = 50
MAX_CRAWL_DOCUMENTS: Final = 100  # per account; Tavus refuses the next crawl create (400)
MAX_CONCURRENT_CRAWLS: Final = 5  # Tavus answers 429 with Retry-After; the client waits and retries
CRAWL_LIMITS: Final[Mapping[str, tuple[int, int]]] = {"depth": (1, 10), "max_pages": (1, 100)}

READY: Final = "ready"
FAILED: Final = "error"
BUSY: Final = ("started", "processing", "recrawling")
# Fields a PATCH can change; any other change needs a new document (a replacement).
UPDATABLE: Final = ("document_name", "tags")
REPLACING: Final = ("document_url", "crawl")
# Processing state: outputs of the resource, never inputs, so never drift.
STATUS_OUTPUTS: Final = ("status", "progress", "error_message")


def url_extension(url: str) -> str | None:
    """`https://x.com/a/Guide.PDF?v=2` -> "pdf"; None when the last path segment has no extension."""
    segment = urlsplit(url).path.rsplit("/", 1)[-1]
    stem, dot, extension = segment.rpartition(".")
    return extension.lower() if dot and stem and extension else None


def replacing_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The fields whose change needs a new document: `document_url`, `crawl`."""
    return [key for key in REPLACING if not canon.json_equal(old.get(key), new.get(key))]


def _same_document(live: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    """Documents have no unique name (a replacement briefly has two of the same name): a create
    whose answer was lost, or one left by a killed run, is recognised by holding what the file asks."""
    wanted = KIND.canonical(body)
    return bool(wanted) and canon.json_equal(canon.managed_view(KIND.canonical(live), wanted), wanted)


ENDPOINT: Final = Endpoint(
    label="document",
    path="/v2/documents",
    id_field="document_id",
    name_field=None,
    same_item=_same_document,
)

KIND: Final = Kind(
    folder="documents",
    type_name="Document",
    endpoint=ENDPOINT,
    schema_file="documents.schema.json",
    server_fields=frozenset(STATUS_OUTPUTS),
    status_outputs=STATUS_OUTPUTS,
    title_field="document_name",
    integer_fields=tuple(("crawl", key) for key in CRAWL_LIMITS),
    option_inputs=(RECRAWL_INPUT,),
)
