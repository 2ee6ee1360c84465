import subprocess
import sys

import pytest
from click.testing import CliRunner

from chatdump.cli import cli
from chatdump.secret import Secret
from chatdump.server.grants import GrantChecker
from chatdump.server.settings import DEMO_GRANT_SECRET

SESSION = "79365b9b-5e35-4d3a-9d1c-2b5b1c2f7a10"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_grant_prints_one_grant_for_the_session(runner: CliRunner) -> None:
    secret = "g" * 40
    result = runner.invoke(
        cli, ["grant", SESSION, "--ttl", "120"], env={"CHATDUMP_GRANT_SECRET": secret}
    )
    assert result.exit_code == 0, result.output
    grant = result.stdout.strip()
    assert "\n" not in grant
    GrantChecker([Secret(secret)]).check(grant, SESSION)


def test_grant_without_a_secret_uses_the_demo_secret_and_says_so(runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["grant", SESSION], env={"CHATDUMP_GRANT_SECRET": "", "CHATDUMP_PROVIDER": ""}
    )
    assert result.exit_code == 0
    GrantChecker([Secret(DEMO_GRANT_SECRET)]).check(result.stdout.strip(), SESSION)
    assert "demo-only secret" in result.stderr


def test_grant_for_a_real_provider_needs_the_secret(runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["grant", SESSION], env={"CHATDUMP_GRANT_SECRET": "", "CHATDUMP_PROVIDER": "dyte"}
    )
    assert result.exit_code != 0
    assert "CHATDUMP_GRANT_SECRET is not set" in result.stderr


def test_grant_refuses_an_implausible_session_id(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["grant", "../etc"])
    assert result.exit_code == 2
    assert "session id" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CHATDUMP_PROVIDER": ""}, "CHATDUMP_PROVIDER is not set"),
        (
            {
                "CHATDUMP_PROVIDER": "dyte",
                "CHATDUMP_GRANT_SECRET": "s" * 40,
                "DYTE_ORG_ID": "o",
                "DYTE_API_KEY": "",
            },
            "DYTE_API_KEY is not set",
        ),
        ({"CHATDUMP_PROVIDER": "zoom"}, "not a provider"),
    ],
)
def test_serve_refuses_to_start_and_names_what_is_missing(
    runner: CliRunner, env: dict[str, str], message: str
) -> None:
    result = runner.invoke(cli, ["serve"], env=env)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_the_cli_starts_without_loading_the_upstream_stack() -> None:
    # `chatdump convert` and `download --endpoint` never talk to the upstream: keep them quick.
    code = "import sys, chatdump.cli; print(sorted({'asyncio', 'httpx', 'chatdump.export.archive'} & set(sys.modules)))"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert found.stdout.strip() == "[]", found.stderr
