"""providers.settings: stack config first, then the environment; a bad value is refused by name."""

from __future__ import annotations

import pytest

from providers.errors import InvalidSettingError, MissingApiKeyError, TavusPersonasError
from providers.settings import ProviderSettings, qualified_config_key, settings_from


@pytest.fixture(autouse=True)
def _no_tavus_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TAVUS_API_KEY", "TAVUS_BASE_URL", "TAVUS_PATH_PREFIX", "TAVUS_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)


def test_config_first_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAVUS_API_KEY", "env-key")
    monkeypatch.setenv("TAVUS_TIMEOUT", "12")
    config = {"tavus:baseUrl": "http://127.0.0.1:8787/", "tavus:pathPrefix": "/v2/pals"}
    settings = settings_from(config.get)
    assert settings == ProviderSettings(
        base_url="http://127.0.0.1:8787", path_prefix="/v2/pals", api_key="env-key", timeout_seconds=12.0
    )
    assert "env-key" not in repr(settings)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("tavus:timeoutSeconds", "soon", "tavus:timeoutSeconds (or TAVUS_TIMEOUT) must be a positive number"),
        ("tavus:baseUrl", "tavusapi.com", "tavus:baseUrl (or TAVUS_BASE_URL) must be an http(s) URL"),
        ("tavus:baseUrl", "ftp://tavusapi.com", "run `pulumi config set tavus:baseUrl https://tavusapi.com`"),
        ("tavus:baseUrl", "http://[::1", "got 'http://[::1'"),
    ],
)
def test_a_bad_setting_is_refused_naming_it(key: str, value: str, message: str) -> None:
    with pytest.raises(InvalidSettingError) as info:
        settings_from({key: value}.get)
    assert message in str(info.value)
    assert isinstance(info.value, TavusPersonasError) and isinstance(info.value, ValueError)


def test_missing_key_is_a_product_error() -> None:
    with pytest.raises(MissingApiKeyError) as info:
        settings_from(lambda _key: None).require_api_key()
    assert isinstance(info.value, TavusPersonasError)


def test_qualified_config_key() -> None:
    assert qualified_config_key("openaiApiKey", "tavus-personas") == "tavus-personas:openaiApiKey"
    assert qualified_config_key("tavus:apiKey", "tavus-personas") == "tavus:apiKey"
