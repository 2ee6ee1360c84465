import pytest

from chatdump.core.errors import ConfigError
from chatdump.secret import Secret
from chatdump.server.settings import DEMO_GRANT_SECRET, Settings
from chatdump.upstream import REGISTRY, upstream_from_env
from tests.fake_upstream import env_for

SECRET = "s" * 40


def test_demo_needs_nothing_and_says_it_uses_the_demo_secret() -> None:
    settings = Settings.from_env({}, demo=True)
    assert settings.provider == "demo"
    assert settings.demo_secret_in_use
    assert settings.grant_secrets == (Secret(DEMO_GRANT_SECRET),)


def test_no_provider_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="CHATDUMP_PROVIDER is not set"):
        Settings.from_env({})


def test_unknown_provider_is_named() -> None:
    with pytest.raises(ConfigError, match="'zoom' is not a provider"):
        Settings.from_env({"CHATDUMP_PROVIDER": "zoom", "CHATDUMP_GRANT_SECRET": SECRET})


@pytest.mark.parametrize("missing", ["DYTE_ORG_ID", "DYTE_API_KEY", "CHATDUMP_GRANT_SECRET"])
def test_dyte_names_the_missing_variable(missing: str) -> None:
    env = {
        "CHATDUMP_PROVIDER": "dyte",
        "DYTE_ORG_ID": "org",
        "DYTE_API_KEY": "key",
        "CHATDUMP_GRANT_SECRET": SECRET,
    }
    del env[missing]
    with pytest.raises(ConfigError, match=missing):
        Settings.from_env(env)


@pytest.mark.parametrize("missing", ["RTK_ACCOUNT_ID", "RTK_APP_ID", "RTK_API_TOKEN"])
def test_realtimekit_names_the_missing_variable(missing: str) -> None:
    env = {
        "CHATDUMP_PROVIDER": "realtimekit",
        "RTK_ACCOUNT_ID": "acc",
        "RTK_APP_ID": "app",
        "RTK_API_TOKEN": "tok",
        "CHATDUMP_GRANT_SECRET": SECRET,
    }
    del env[missing]
    with pytest.raises(ConfigError, match=missing):
        Settings.from_env(env)


def test_secrets_never_print() -> None:
    env = {
        "CHATDUMP_PROVIDER": "dyte",
        "DYTE_ORG_ID": "org",
        "DYTE_API_KEY": "hunter2-key",
        "CHATDUMP_GRANT_SECRET": SECRET,
    }
    settings = Settings.from_env(env)
    assert "hunter2-key" not in repr(settings)
    assert SECRET not in repr(settings)
    assert settings.upstream.api_base == "https://api.dyte.io/v2"  # type: ignore[union-attr]


def test_several_grant_secrets_are_accepted_for_rotation() -> None:
    env = {"CHATDUMP_PROVIDER": "demo", "CHATDUMP_GRANT_SECRET": f"{'a' * 32}, {'b' * 32}"}
    assert [s.reveal() for s in Settings.from_env(env).grant_secrets] == ["a" * 32, "b" * 32]


def test_short_grant_secrets_are_refused() -> None:
    with pytest.raises(ConfigError, match="shorter than 32"):
        Settings.from_env({"CHATDUMP_PROVIDER": "demo", "CHATDUMP_GRANT_SECRET": "short"})


def test_frame_ancestors_default_to_the_widgets_own_site() -> None:
    assert Settings.from_env({}, demo=True).frame_ancestors.sources == ("'self'",)


def test_frame_ancestors_are_read_from_the_environment() -> None:
    env = {"CHATDUMP_FRAME_ANCESTORS": "https://dash.example.com, 'self'"}
    ancestors = Settings.from_env(env, demo=True).frame_ancestors
    assert ancestors.sources == ("'self'", "https://dash.example.com")


@pytest.mark.parametrize("value", ["*", "https:", "https://a.example/path", "javascript:alert(1)"])
def test_bad_frame_ancestors_name_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="CHATDUMP_FRAME_ANCESTORS"):
        Settings.from_env({"CHATDUMP_FRAME_ANCESTORS": value}, demo=True)


@pytest.mark.parametrize("flavour", sorted(REGISTRY))
def test_every_registered_providers_credentials_are_listed_for_redaction(flavour: str) -> None:
    env = env_for(flavour, "https://api.example", SECRET)
    settings = Settings.from_env(env)
    revealed = {secret.reveal() for secret in settings.secrets()}
    credentials = {value for name, value in env.items() if name.endswith(("_KEY", "_TOKEN"))}
    assert credentials and credentials <= revealed
    assert SECRET in revealed


def test_the_export_commands_read_the_upstream_without_a_grant_secret() -> None:
    env = env_for("dyte", "https://api.example", SECRET)
    del env["CHATDUMP_GRANT_SECRET"]
    assert upstream_from_env(env).name == "dyte"
    with pytest.raises(ConfigError, match="CHATDUMP_GRANT_SECRET"):
        Settings.from_env(env)
