"""Facts of documents and dictionaries that the provider, validation and export share."""

from __future__ import annotations

import pytest

from providers.errors import InvalidSettingError
from providers.facts import dictionaries, documents
from providers.settings import settings_from


@pytest.mark.parametrize(("url", "extension"), [
    ("https://example.com/files/Guide.PDF?v=2", "pdf"),
    ("https://example.com/files/archive.tar.gz", "gz"),
    ("https://example.com/download?id=7", None),
    ("https://example.com/", None),
    ("https://example.com/.hidden", None),
])
def test_url_extension(url: str, extension: str | None) -> None:
    assert documents.url_extension(url) == extension


def test_pulumi_floats_reach_tavus_as_integers_where_tavus_wants_integers() -> None:
    body = {"document_url": "https://example.com", "crawl": {"depth": 2.0, "max_pages": 20.0}}
    wire = documents.KIND.wire_body(body)
    assert wire["crawl"] == {"depth": 2, "max_pages": 20}
    assert all(type(v) is int for v in wire["crawl"].values())
    assert documents.KIND.wire_body({"crawl": {"depth": 2.5}})["crawl"]["depth"] == 2.5  # Tavus judges it


def test_a_dictionary_body_always_has_its_rules() -> None:
    assert dictionaries.KIND.wire_body({"name": "x"}) == {"name": "x", "rules": []}
    rules = [{"text": "a", "pronunciation": "b", "type": "alias"}]
    assert dictionaries.KIND.wire_body({"name": "x", "rules": rules})["rules"] == rules


def test_status_fields_are_outputs_and_not_part_of_the_canonical_body() -> None:
    live = {"document_id": "d1", "document_url": "https://e.com/a.pdf", "status": "processing",
            "progress": 40}
    assert documents.KIND.canonical(live) == {"document_url": "https://e.com/a.pdf"}
    assert {"status", "progress", "error_message"} <= set(documents.KIND.computed_outputs)


def test_url_and_crawl_changes_need_a_new_document_name_and_tags_do_not() -> None:
    old = {"document_url": "https://e.com/a.pdf", "document_name": "A", "tags": ["x"]}
    assert documents.replacing_changes(old, {**old, "document_name": "B", "tags": []}) == []
    assert documents.replacing_changes(old, {**old, "crawl": {"depth": 1}}) == ["crawl"]


def test_document_timeout_setting_defaults_to_ten_minutes_and_refuses_nonsense() -> None:
    assert settings_from(lambda _key: None).document_timeout_seconds == 600
    assert settings_from({"tavus:documentTimeoutSeconds": "90"}.get).document_timeout_seconds == 90
    with pytest.raises(InvalidSettingError, match=r"tavus:documentTimeoutSeconds.*got .soon."):
        settings_from({"tavus:documentTimeoutSeconds": "soon"}.get)
