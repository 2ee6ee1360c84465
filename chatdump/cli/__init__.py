"""The ``chatdump`` command: the click group. Each command's docstring is its ``--help``.

``serve`` and ``grant`` live in ``serve``; ``download``, ``convert`` and ``archive`` in ``export``.
"""

from __future__ import annotations

import click

from chatdump import __version__
from chatdump.cli import export, serve


@click.group()
@click.version_option(__version__, prog_name="chatdump")
def cli() -> None:
    """chatdump: one-click download and archiving of meeting chat dumps
    (Dyte, Cloudflare RealtimeKit).

    \b
    Try it with no account:
        chatdump serve --demo
    """


cli.add_command(serve.serve)
cli.add_command(serve.grant)
export.register(cli)
