"""``chatdump download``, ``convert`` and ``archive``: the server-side export.

Each command's docstring is its ``--help``. Errors end the run with one line on stderr and an
exit code from ``chatdump.cli.exit_codes`` (listed in ``chatdump download --help``).
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Coroutine, Iterable, Iterator
from contextlib import ExitStack, closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

import click

from chatdump.cli.exit_codes import INTERRUPTED, exit_code
from chatdump.cli.progress_bar import progress_bar, progress_bars
from chatdump.core import errors
from chatdump.core.dump import CHUNK_SIZE
from chatdump.core.expiry import parse_expiry
from chatdump.core.filenames import chat_filename
from chatdump.core.formats import CONVERTED_FORMATS, FORMATS, Converter, output_filename
from chatdump.core.progress import human_size
from chatdump.core.session_ids import check_session_id
from chatdump.endpoint_client import EndpointClient
from chatdump.export.archive_jobs import JOBS, MAX_JOBS, STATUSES
from chatdump.export.atomic import atomic_write
from chatdump.export.download import Saved, download, iter_file, stream_into
from chatdump.export.storage_http import StorageClient

# The upstream's stack (asyncio, httpx) loads only for the commands that talk to it, so that
# `chatdump convert` and `download --endpoint` start quickly.
if TYPE_CHECKING:
    import asyncio

    from chatdump.upstream.base import Provider, SessionInfo

T = TypeVar("T")
EXIT_CODES_HELP = """\b
Exit codes: 0 done, 1 unexpected error, 2 usage error, 3 configuration error,
4 refused (credentials, grant, storage), 5 not found (no session, no chat),
6 upstream or storage failed, 7 not a readable chat dump, 8 local file error,
130 interrupted."""


class Failed(click.ClickException):
    """One line on stderr (``Error: …``) and the documented exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.exit_code = code  # type: ignore[misc]  # click reads it per instance


def cli_errors(command: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except errors.ChatdumpError as exc:
            raise Failed(exc.message, exit_code(exc)) from exc
        except OSError as exc:
            raise Failed(_describe(exc), exit_code(exc)) from exc
        except KeyboardInterrupt:
            click.echo("Interrupted; no partial file was kept.", err=True)
            sys.exit(INTERRUPTED)

    return run


class Upstream:
    """The chat upstream from the environment (or the demo), with one event loop for its calls."""

    def __init__(self, provider: Provider, runner: asyncio.Runner) -> None:
        self.provider = provider
        self._runner = runner
        self._one_at_a_time = threading.Lock()  # `archive --jobs` asks for URLs from N threads

    def run(self, call: Coroutine[Any, Any, T]) -> T:
        with self._one_at_a_time:
            return self._runner.run(call)

    def url_source(self, session_id: str) -> Callable[[bool], str]:
        return lambda fresh: self.run(self.provider.chat_url(session_id)).url

    def session_info(self, session_id: str) -> SessionInfo:
        from chatdump.upstream.base import SessionInfo

        try:
            return self.run(self.provider.session_info(session_id))
        except errors.ChatdumpError:
            return SessionInfo(session_id)  # only the filename suffers


@contextmanager
def open_upstream(*, demo: bool) -> Iterator[Upstream]:
    import asyncio

    from chatdump.upstream import DemoConfig, build_provider, upstream_from_env

    # Only the upstream's own variables: the export commands hold no grant secret.
    config = upstream_from_env(os.environ, demo=demo)
    with ExitStack() as stack:
        runner = stack.enter_context(asyncio.Runner())
        if isinstance(config, DemoConfig):
            from chatdump.upstream.demo.local import local_demo

            provider: Provider = stack.enter_context(local_demo(config.url_ttl)).provider()
        else:
            provider = build_provider(config)
        try:
            yield Upstream(provider, runner)
        finally:
            runner.run(provider.aclose())


def formats_help(names: Iterable[str]) -> str:
    """``csv: the original bytes; excel: …; txt: a readable transcript.``, from the registry."""
    return "; ".join(f"{name}: {FORMATS[name].help}" for name in names) + "."


format_option = click.option(
    "--format", "fmt", type=click.Choice(list(FORMATS)), default="csv", show_default=True,
    help=formats_help(FORMATS),
)  # fmt: skip


fsync_option = click.option(
    "--fsync", "durable", is_flag=True,
    help="Flush the file to disk before exiting, so that it survives a power cut (as fast as "
    "the disk writes). Without it, the file is complete or absent, as with curl -o.",
)  # fmt: skip


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("session_id")
@click.option("-o", "--output", default=None, metavar="PATH",
              help="File or folder to save to; '-' for stdout. Default: a name from the "
              "meeting's title and date, in the current folder.")  # fmt: skip
@format_option
@click.option("--demo", is_flag=True, help="Use the built-in demo upstream (no account needed).")
@click.option("--endpoint", metavar="URL", help="A chatdump server's URL: ask its token endpoint "
              "for the link instead of the upstream (needs --grant; no credentials here).")  # fmt: skip
@click.option("--grant", metavar="G", help="A grant for SESSION_ID (from `chatdump grant`).")
@fsync_option
@cli_errors
def download_command(
    session_id: str, output: str | None, fmt: str, demo: bool, endpoint: str | None,
    grant: str | None, durable: bool,
) -> None:  # fmt: skip
    """Download SESSION_ID's chat dump, whole or not at all.

    The upstream's credentials come from the environment, as for `chatdump serve`
    (CHATDUMP_PROVIDER, DYTE_ORG_ID + DYTE_API_KEY, or RTK_ACCOUNT_ID + RTK_APP_ID + RTK_API_TOKEN).
    The file is written under a temporary name and renamed only when complete and verified; an
    expired link is replaced by a fresh one, a dropped connection resumes where it stopped.
    A progress bar shows on a terminal; otherwise the command is quiet.

    \b
    Examples:
        chatdump download 79365b9b-5e35-4d3a-9d1c-2b5b1c2f7a10 --demo
        chatdump download SESSION_ID --format excel -o chats/
        chatdump download SESSION_ID -o - | wc -l
        chatdump download SESSION_ID --endpoint https://chat.example.com --grant "$GRANT"
    """
    check_session_id(session_id)
    if (endpoint is None) != (grant is None):
        raise click.UsageError("--endpoint and --grant go together.")
    get_url: Callable[[bool], str]
    with ExitStack() as stack:
        if endpoint is not None and grant is not None:
            client = EndpointClient(endpoint, grant)
            first = client.chat_url(session_id)
            name = first.filename
            urls = iter([first.url])

            def from_endpoint(fresh: bool) -> str:
                url = next(urls, None)
                return url if url and not fresh else client.chat_url(session_id, fresh=True).url

            get_url = from_endpoint
        else:
            upstream = stack.enter_context(open_upstream(demo=demo))
            info = upstream.session_info(session_id)
            name = chat_filename(session_id, title=info.title, started_at=info.started_at)
            get_url = upstream.url_source(session_id)
        _save(get_url, _target(output, output_filename(name, fmt)), fmt, durable=durable)


def _target(output: str | None, default_name: str) -> Path | None:
    """None means stdout."""
    if output == "-":
        return None
    if output is None:
        return Path.cwd() / default_name
    path = Path(output)
    return path / default_name if path.is_dir() else path


def _save(get_url: Callable[[bool], str], target: Path | None, fmt: str, *, durable: bool) -> None:
    if fmt == "csv":
        with StorageClient() as client, progress_bar("chat") as bar:
            if target is None:
                stream_into(get_url, sys.stdout.buffer, client=client, progress=bar)
                return
            saved = download(
                get_url, target, client=client, progress=bar, sha256=False, durable=durable
            )
        _done(target, saved.size)
        return
    # Converted formats: the whole dump first (verified), then the conversion, each atomic.
    folder = target.parent if target is not None else None
    with tempfile.TemporaryDirectory(prefix=".chatdump-", dir=folder) as tmp:
        raw = Path(tmp) / "chat.csv"
        with StorageClient() as client, progress_bar("chat") as bar:
            download(get_url, raw, client=client, progress=bar, sha256=False)
        _convert_file(raw, target, fmt, durable=durable)


def _convert_file(source: Path, target: Path | None, fmt: str, *, durable: bool) -> None:
    converter = Converter(fmt)
    if target is None:
        _convert_into(converter, source, sys.stdout.buffer)
        return
    with atomic_write(target, durable=durable) as out:
        _convert_into(converter, source, out)
    _done(target, target.stat().st_size, converter.summary.describe())


def _convert_into(converter: Converter, source: Path, out: BinaryIO) -> None:
    for chunk in iter_file(source, CHUNK_SIZE):
        out.write(converter.feed(chunk).encode("utf-8"))
    out.write(converter.close().encode("utf-8"))
    out.flush()


def _done(target: Path, size: int, detail: str = "") -> None:
    if sys.stderr.isatty():
        extra = f"; {detail}" if detail else ""
        click.echo(f"Saved {target} ({human_size(size)}{extra})", err=True)


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("input_csv", metavar="INPUT.csv", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(CONVERTED_FORMATS), required=True,
              help=formats_help(CONVERTED_FORMATS))  # fmt: skip
@click.option("-o", "--output", default=None, metavar="PATH",
              help="File to write; '-' for stdout. Default: next to INPUT.csv "
              "(team-standup-excel.csv, .jsonl, .txt).")  # fmt: skip
@fsync_option
@cli_errors
def convert_command(input_csv: str, fmt: str, output: str | None, durable: bool) -> None:
    """Convert a downloaded chat dump, with the same conversions as the widget.

    Streams with constant memory whatever the size. Columns are found by name; a file that is
    not a chat dump (missing columns, not UTF-8, broken CSV) stops with exit code 7 and no
    output file.

    \b
    Examples:
        chatdump convert team-standup-2026-11-24.csv --format excel
        chatdump convert chat.csv --format txt -o - | less
    """
    source = Path(input_csv)
    if input_csv == "-":
        converter = Converter(fmt)
        out = sys.stdout.buffer if output in (None, "-") else None
        if out is None:
            assert output is not None
            with atomic_write(Path(output), durable=durable) as target_out:
                _convert_stream(converter, target_out)
            return
        _convert_stream(converter, out)
        return
    if output == "-":
        _convert_file(source, None, fmt, durable=False)
        return
    target = Path(output) if output else source.with_name(output_filename(source.name, fmt))
    if target.resolve() == source.resolve():
        raise click.UsageError("The output would overwrite the input; choose another -o.")
    _convert_file(source, target, fmt, durable=durable)


def _convert_stream(converter: Converter, out: BinaryIO) -> None:
    while chunk := sys.stdin.buffer.read(CHUNK_SIZE):
        out.write(converter.feed(chunk).encode("utf-8"))
    out.write(converter.close().encode("utf-8"))


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("target", metavar="DIR|s3://BUCKET/PREFIX")
@click.option("--meeting", metavar="ID", help="Only this meeting's sessions.")
@click.option("--since", metavar="DATE", help="Only sessions started on or after this date "
              "(2026-11-20 or 2026-11-20T08:00:00Z).")  # fmt: skip
@click.option("--jobs", "-j", type=click.IntRange(1, MAX_JOBS), default=JOBS, show_default=True,
              metavar="N", help="Chats saved at once. Into a bucket, each holds an 8 MiB "
              "buffer; 1 saves them one after another.")  # fmt: skip
@click.option("--demo", is_flag=True, help="Use the built-in demo upstream (no account needed).")
@cli_errors
def archive_command(
    target: str, meeting: str | None, since: str | None, jobs: int, demo: bool
) -> None:
    """Save every session's chat not yet in the archive, and keep its manifest.jsonl.

    The archive is a folder, or an S3-compatible bucket (s3://BUCKET/PREFIX; needs
    `pip install 'chatdump[s3]'`, takes AWS credentials from the standard chain and
    AWS_ENDPOINT_URL for a store other than Amazon S3). Lists the sessions (page by page),
    skips the ones whose chat is already archived with the size on record, and streams the
    rest in, a few at once (--jobs), each whole or not at all. Running it again downloads
    nothing new. Sessions still live, or with no chat (not enabled, past the 7-day retention),
    are reported and skipped. Upstream credentials: as for `chatdump download`.

    \b
    Examples (daily, before the 7-day retention ends):
        chatdump archive /srv/chat-archive --since "$(date -d '-6 days' +%F)"
        chatdump archive s3://chat-archive/acme --since "$(date -d '-6 days' +%F)"
    """
    from chatdump.export.archive import SessionPages, list_sessions, open_destination
    from chatdump.export.archive_jobs import archive_sessions

    start = _since(since)
    archive = open_destination(target, jobs)
    counts = dict.fromkeys(STATUSES, 0)
    codes: list[int] = []  # one per failed session: the first decides the exit code
    with open_upstream(demo=demo) as upstream, StorageClient() as client, progress_bars() as bars:
        if not isinstance(upstream.provider, SessionPages):
            raise errors.ConfigError("This upstream cannot list its sessions.")
        sessions = upstream.run(list_sessions(upstream.provider, meeting_id=meeting, since=start))
        outcomes = archive_sessions(
            archive, sessions, upstream.url_source, client=client, jobs=jobs, bars=bars
        )
        with closing(outcomes):  # Ctrl-C: the running chats stop, the manifest is written
            for outcome in outcomes:
                counts[outcome.status] += 1
                if outcome.entry is not None:
                    click.echo(f"{outcome.entry.file} ({human_size(outcome.entry.bytes)})")
                if outcome.error is not None:
                    codes.append(exit_code(outcome.error))
                    click.echo(
                        f"{outcome.session.session_id}: {_describe(outcome.error)}", err=True
                    )
    click.echo(", ".join(f"{n} {label}" for label, n in counts.items()), err=True)
    if codes:
        raise Failed(f"{len(codes)} session(s) could not be archived; see above.", codes[0])


def _describe(exc: errors.ChatdumpError | OSError) -> str:
    if isinstance(exc, errors.ChatdumpError):
        return exc.message
    return f"{exc.strerror or exc}: {exc.filename or ''}".strip()


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = parse_expiry(text if "T" in text or " " in text else text + "T00:00:00Z")
    if moment is None:
        raise click.BadParameter(
            "use a date like 2026-11-20 or 2026-11-20T08:00:00Z", param_hint="--since"
        )
    return moment.astimezone(UTC)


def register(group: click.Group) -> None:
    group.add_command(download_command, "download")
    group.add_command(convert_command, "convert")
    group.add_command(archive_command, "archive")


__all__ = ["Saved", "register"]
