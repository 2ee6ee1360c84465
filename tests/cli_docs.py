"""Renders docs/cli.md from the commands' own --help, so the reference cannot go stale.

`make docs` rewrites the file; tests/test_docs.py fails when it differs from the code.
"""

from __future__ import annotations

import sys

from click.testing import CliRunner

from chatdump.cli import cli

COMMANDS = ("", "serve", "grant", "download", "convert", "archive")


def render() -> str:
    runner = CliRunner()
    parts = [
        "# chatdump command reference\n",
        "Generated from each command's `--help` by `make docs`; a test keeps it in step.\n",
    ]
    for command in COMMANDS:
        args = [command, "--help"] if command else ["--help"]
        result = runner.invoke(cli, args, prog_name="chatdump", terminal_width=100)
        title = f"chatdump {command}".strip()
        parts.append(f"\n## `{title}`\n\n```text\n{result.output.rstrip()}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    sys.stdout.write(render())
