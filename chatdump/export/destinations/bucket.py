"""An S3-compatible bucket, ``s3://BUCKET/PREFIX``: the chats, ``PREFIX/manifest.jsonl``, and
``PREFIX/.chatdump/`` (per-session entry records, and uploads still in progress).

How a chat gets in, in constant memory: the storage download (``stream_into``, with its resumes
and fresh URLs) writes into an ``ObjectWriter``. A chat that fits in one part (8 MiB) is held in
memory and sent in one PutObject once its size is verified. A larger one goes, part by part while
it still downloads, into a multipart upload under a staging key; once complete and verified it is
copied to its final key and the staging object deleted. Why a staging key: S3-compatible stores
differ in what they can undo. Amazon S3 aborts a multipart upload; s3rver 3.7.1 cannot (no
AbortMultipartUpload, no ListMultipartUploads), so a failed upload there is completed into its
staging object and deleted, which must never touch an archived chat. Either way a failed or cut
transfer leaves no object and no parts. We drive the multipart upload ourselves rather than through
boto3's ``upload_fileobj``: a restart from byte 0 (storage ignoring ``Range``) must drop the parts
sent so far, and a failure must fall back as above when the store cannot abort. The part buffers
are shared by the chats saved at once (``part_buffers``): memory is ``max(jobs, 3)`` parts of
8 MiB, whatever the chats' number and sizes.

Every write of a chat is conditional (``If-None-Match: *``): where the store honours it (Amazon
S3 since 2024), two runs racing for one session cannot both write its key; the loser keeps its
bytes beside the winner's, or drops them when identical, as the local folder does. Stores that
ignore it (s3rver) get last-writer-wins of the same verified bytes for one session. Whether a
key is already taken (by an object without an entry record: a crash, someone else's file) comes
from one listing of the chats' keys and sizes when a run starts (``entries``), which ``has`` and
``save`` then trust: a HEAD per key cost one more small request per chat, and per archived chat
on every rerun. The webhook, which lists nothing, asks per key. A key another run writes after
the listing meets the conditional write, as above.

The manifest cannot be appended to (S3 has no append), and a read-modify-write of one object races.
So each verified chat first gets its own small entry object (``.chatdump/entries/SESSION.json``),
which no other session's writer touches; ``flush`` then rebuilds ``manifest.jsonl`` from the
manifest and the entry records, writes it whole (never torn), reads it back, and rewrites it while
an entry is missing from it (a bounded loop): the last writer's check sees every entry written
before it. A run flushes every ``PUBLISH_EVERY_SECONDS`` and at its end, the webhook after every
chat: rewriting the manifest per chat would cost more requests than the chat's own upload. ``has``
trusts the entry records, so a manifest left behind by a crash or an exhausted loop is repaired by
the next run and never causes an upload twice.

Credentials come from boto3's standard chain (environment, shared config files, instance roles);
``AWS_ENDPOINT_URL`` points it at an S3-compatible store. No credential is ever logged or printed:
the errors raised here carry the store's error code and message only.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import mmap
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from chatdump.core import errors
from chatdump.export.destinations.base import (
    MANIFEST,
    Entry,
    archive_filename,
    entry_line,
    make_entry,
    parse_entry,
    side_name,
    utc_now,
)
from chatdump.export.destinations.part_buffers import PartBuffers
from chatdump.export.download import Progress, Saved, stream_into
from chatdump.export.storage_http import StorageClient
from chatdump.upstream.base import SessionInfo

log = logging.getLogger("chatdump")
PART_SIZE = 8 * 1024 * 1024  # boto3's own multipart threshold and part size
UPLOADS_AT_ONCE = 2  # parts in flight while the next one downloads: memory is 3 parts at most
MANIFEST_ROUNDS = 5
# A long run rewrites the manifest this often, and once at its end (``flush``): rewriting it
# after every chat would cost more small requests than the chat's own upload.
PUBLISH_EVERY_SECONDS = 30.0
STATE = ".chatdump"
CONTENT_TYPE = "text/csv"
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# The store cannot undo a multipart upload (s3rver answers 405 or 501).
_CANNOT_ABORT = {"MethodNotAllowed", "NotImplemented", "405", "501"}
_TAKEN = {"PreconditionFailed", "412", "ConditionalRequestConflict", "409"}
_REFUSED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled"}


def parse_target(target: str) -> tuple[str, str]:
    """Pure: ``s3://bucket/a/b/`` -> ``("bucket", "a/b")``, or ConfigError naming what is wrong."""
    rest = target[len("s3://") :] if target.lower().startswith("s3://") else target
    bucket, _, prefix = rest.partition("/")
    if not _BUCKET.fullmatch(bucket):
        raise errors.ConfigError(
            f"{target!r} does not name a bucket: use s3://BUCKET/PREFIX (3 to 63 lower-case "
            "letters, digits, dots and dashes)."
        )
    parts = [part for part in prefix.split("/") if part]
    if any(part in (".", "..") or not part.isprintable() for part in parts):
        raise errors.ConfigError(f"The prefix of {target!r} has a '.', '..' or control character.")
    return bucket, "/".join(parts)


def open_bucket(target: str, jobs: int = 1) -> Bucket:
    """The bucket at ``target``, sized for ``jobs`` chats saved at once (buffers, connections)."""
    bucket, prefix = parse_target(target)
    try:
        import boto3  # type: ignore[import-untyped]
        from botocore.config import Config  # type: ignore[import-untyped]
    except ImportError as exc:
        raise errors.ConfigError(
            f"{target} is an S3 bucket, and archiving into one needs boto3: "
            "pip install 'chatdump[s3]'."
        ) from exc
    config = Config(
        retries={"mode": "standard", "max_attempts": 5},
        connect_timeout=10,
        read_timeout=60,
        max_pool_connections=jobs * (UPLOADS_AT_ONCE + 1) + 8,
    )
    client = boto3.session.Session().client("s3", config=config)
    return Bucket(client, bucket, prefix, jobs=jobs)


@contextlib.contextmanager
def bucket_errors(action: str) -> Iterator[None]:
    """The store's and boto3's errors as chatdump's, with no credential in the message."""
    from botocore import exceptions as boto  # type: ignore[import-untyped]

    try:
        yield
    except boto.NoCredentialsError as exc:
        raise errors.ConfigError(
            "No AWS credentials found for the bucket (AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role)."
        ) from exc
    except boto.ClientError as exc:
        code = _code(exc)
        message = str(exc.response.get("Error", {}).get("Message", ""))[:200]
        if code == "NoSuchBucket":
            raise errors.ConfigError(f"The bucket does not exist ({action}).") from exc
        if code in _REFUSED or code in ("401", "403"):
            raise errors.Forbidden(
                f"The bucket refused to {action}: {code} {message}".strip(), code="bucket_refused"
            ) from exc
        raise errors.UpstreamError(
            f"The bucket failed to {action}: {code} {message}".strip(), code="bucket_failed"
        ) from exc
    except (boto.BotoCoreError, OSError) as exc:
        raise errors.UpstreamUnavailable(
            f"Could not reach the bucket to {action} ({type(exc).__name__}).",
            code="bucket_unreachable",
        ) from exc


def _code(exc: Any) -> str:
    error = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return str(error.get("Code") or status or "")


class Taken(Exception):
    """The final key was written by someone else first (a conditional write refused)."""


class PartBody:
    """The filled bytes of a part buffer as the seekable file botocore sends (and rewinds for a
    retry). ``read`` hands out views of the buffer, not copies: botocore hashes and sends 1 MiB
    and 16 KiB reads of it, and a copy of each, made in each uploading thread, would leave every
    thread's malloc arena megabytes larger."""

    def __init__(self, view: memoryview) -> None:
        self._view, self._at = view, 0

    def read(self, size: int = -1) -> memoryview:
        end = len(self._view) if size < 0 else min(len(self._view), self._at + size)
        chunk = self._view[self._at : end]
        self._at = max(self._at, end)
        return chunk

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._at, io.SEEK_END: len(self._view)}[whence]
        self._at = max(0, base + offset)
        return self._at

    def tell(self) -> int:
        return self._at

    def seekable(self) -> bool:
        return True


class ObjectWriter:
    """A file-like that ``stream_into`` writes a chat into; nothing is visible until ``finish``.

    Used as a context manager: entering takes a part buffer from the bucket's shared
    ``PartBuffers`` (waiting, before any download starts, when all are in use), leaving discards
    what was not finished and gives every buffer back. Parts are filled in place; up to
    ``UPLOADS_AT_ONCE`` of them upload while the next one fills, in buffers borrowed when free
    and otherwise taken back from this chat's oldest upload.
    """

    def __init__(self, client: Any, bucket: str, staging: str, buffers: PartBuffers) -> None:
        self._client, self._bucket, self._staging = client, bucket, staging
        self._buffers = buffers
        self._part_size = buffers.size
        self._current: mmap.mmap | None = None  # the part being filled, up to self._filled
        self._filled = 0
        self._spare: list[mmap.mmap] = []  # this chat's buffers, idle
        self._in_flight: deque[tuple[Future[dict[str, Any]], mmap.mmap]] = deque()
        self._parts: list[Future[dict[str, Any]]] = []
        self._upload_id: str | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._staged = False  # the complete multipart upload sits at the staging key

    def __enter__(self) -> ObjectWriter:
        self._spare.append(self._buffers.take())
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()
        self._buffers.give(*self._spare)
        self._spare = []

    # What stream_into needs of its output: write, and rewind to 0 when storage restarts.
    def write(self, data: bytes | bytearray | memoryview) -> int:
        source = memoryview(data)
        while source:
            if self._current is None:
                self._current = self._take_buffer()
            size = min(len(source), self._part_size - self._filled)
            self._current[self._filled : self._filled + size] = source[:size]
            self._filled += size
            source = source[size:]
            if self._filled == self._part_size:
                self._send_part(self._current, self._filled)
                self._current, self._filled = None, 0
        return len(data)

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        if (offset, whence) != (0, 0):
            raise OSError("an upload can only start over from byte 0")
        self.discard()
        return 0

    def truncate(self, size: int | None = None) -> int:
        return 0  # seek(0) already dropped everything

    def finish(self, saved: Saved, key: str) -> None:
        """Put the verified bytes at ``key``; ``Taken`` when the key was written first.

        A store that accepted the PutObject holds exactly those bytes: botocore sends their
        checksum (CRC32 by default, and the SigV4 payload hash over plain http) and the store
        refuses a body that does not match. A copy's source was checked in ``_complete``.
        """
        if self._upload_id is None and not self._staged:
            self._check_size(self._filled, saved)
            body = PartBody(memoryview(self._current or b"")[: self._filled])
            with self._taken_or(f"store {key}"):
                self._client.put_object(
                    Bucket=self._bucket, Key=key, Body=body, ContentLength=self._filled,
                    ContentType=CONTENT_TYPE, IfNoneMatch="*",
                )  # fmt: skip
            return
        if not self._staged:
            self._complete(saved)
        with self._taken_or(f"store {key}"):
            self._client.copy_object(
                Bucket=self._bucket, Key=key, ContentType=CONTENT_TYPE,
                CopySource={"Bucket": self._bucket, "Key": self._staging},
                MetadataDirective="REPLACE", IfNoneMatch="*",
            )  # fmt: skip
        self.discard()  # the staging object, once copied

    def discard(self) -> None:
        """Leave nothing behind: no parts, no staging object. Never raises."""
        if self._pool is not None:
            for part in self._parts:
                part.cancel()
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._upload_id is not None:
            self._abort()
        if self._staged:
            with contextlib.suppress(Exception):
                self._client.delete_object(Bucket=self._bucket, Key=self._staging)
        self._spare += [buffer for _, buffer in self._in_flight]
        if self._current is not None:
            self._spare.append(self._current)
        self._in_flight.clear()
        self._current = None
        self._upload_id, self._parts, self._staged, self._filled = None, [], False, 0

    def _take_buffer(self) -> mmap.mmap:
        if self._spare:
            return self._spare.pop()
        if len(self._in_flight) < UPLOADS_AT_ONCE:
            free = self._buffers.try_take()
            if free is not None:
                return free
        if not self._in_flight:  # used without ``with``: nothing of its own to wait for
            return self._buffers.take()
        # Back-pressure: wait for this chat's oldest upload, then fill its buffer again.
        part, buffer = self._in_flight.popleft()
        part.result()
        return buffer

    def _send_part(self, buffer: mmap.mmap, size: int) -> None:
        if self._upload_id is None:
            with bucket_errors("start an upload"):
                self._upload_id = self._client.create_multipart_upload(
                    Bucket=self._bucket, Key=self._staging, ContentType=CONTENT_TYPE
                )["UploadId"]
            self._pool = ThreadPoolExecutor(UPLOADS_AT_ONCE, thread_name_prefix="chatdump-s3")
        assert self._pool is not None
        view = memoryview(buffer)[:size]
        part = self._pool.submit(self._upload_part, len(self._parts) + 1, view)
        self._parts.append(part)
        self._in_flight.append((part, buffer))

    def _upload_part(self, number: int, data: memoryview) -> dict[str, Any]:
        with bucket_errors(f"upload part {number}"):
            answer = self._client.upload_part(
                Bucket=self._bucket, Key=self._staging, UploadId=self._upload_id,
                PartNumber=number, Body=PartBody(data), ContentLength=len(data),
            )  # fmt: skip
        return {"PartNumber": number, "ETag": answer["ETag"]}

    def _complete(self, saved: Saved) -> None:
        if self._current is not None and self._filled:  # the last part, shorter
            self._send_part(self._current, self._filled)
            self._current, self._filled = None, 0
        parts = [part.result() for part in self._parts]
        with bucket_errors("complete the upload"):
            self._client.complete_multipart_upload(
                Bucket=self._bucket, Key=self._staging, UploadId=self._upload_id,
                MultipartUpload={"Parts": parts},
            )  # fmt: skip
        self._upload_id, self._staged = None, True
        with bucket_errors("check the upload"):
            size = self._client.head_object(Bucket=self._bucket, Key=self._staging)
        self._check_size(size["ContentLength"], saved)

    def _check_size(self, size: int, saved: Saved) -> None:
        if size != saved.size:
            raise errors.UpstreamError(
                f"{size:,} bytes reached the bucket of {saved.size:,} downloaded.",
                code="bucket_truncated",
            )

    def _abort(self) -> None:
        from botocore.exceptions import ClientError  # type: ignore[import-untyped]

        upload = {"Bucket": self._bucket, "Key": self._staging, "UploadId": self._upload_id}
        try:
            self._client.abort_multipart_upload(**upload)
            return
        except ClientError as exc:
            if _code(exc) not in _CANNOT_ABORT:
                log.warning("could not abort the upload to %s: %s", self._staging, _code(exc))
                return
        except Exception as exc:  # cleanup must not hide the first error
            log.warning("could not abort the upload to %s: %s", self._staging, type(exc).__name__)
            return
        # The store cannot abort: complete what it holds into the staging object, then delete
        # it. The staging key is ours alone, so no archived chat is touched.
        try:
            ended = [p for p in self._parts if p.done() and not p.cancelled()]
            done = [p.result() for p in ended if p.exception() is None]
            if not done:
                answer = self._client.upload_part(**upload, PartNumber=1, Body=b"")
                done = [{"PartNumber": 1, "ETag": answer["ETag"]}]
            self._client.complete_multipart_upload(**upload, MultipartUpload={"Parts": done})
            self._staged = True
        except Exception as exc:
            log.warning("could not clear the upload to %s: %s", self._staging, type(exc).__name__)

    @contextlib.contextmanager
    def _taken_or(self, action: str) -> Iterator[None]:
        from botocore.exceptions import ClientError

        with bucket_errors(action):
            try:
                yield
            except ClientError as exc:
                if _code(exc) in _TAKEN:
                    raise Taken(action) from exc
                raise


class Bucket:
    def __init__(
        self, client: Any, bucket: str, prefix: str, part_size: int = PART_SIZE, jobs: int = 1
    ) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix
        # One buffer per chat saved at once, and two more for one chat's parts in flight when
        # a single chat is saved at a time: memory is this many parts, whatever the chats' sizes.
        self.buffers = PartBuffers(max(jobs, UPLOADS_AT_ONCE + 1), part_size)
        self._listed: dict[str, int] | None = None  # the chats' keys and sizes: see entries()
        self._unpublished: dict[str, Entry] = {}  # recorded, not yet in the manifest we wrote
        self._recording: list[tuple[Entry, Future[None]]] = []  # entry records being written
        self._published_at = time.monotonic()
        self._side_pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()  # saves run from several threads at once

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def entries(self) -> dict[str, Entry]:
        """The archive's entries; also lists the keys and sizes of the chats once, which this
        run's ``has`` and ``save`` then trust instead of asking the store key by key. A key that
        another run writes after this listing meets the conditional write (see the docstring).
        """
        found = self._manifest()
        found.update(self._records(skip=set(found)))
        listed = self._chat_sizes()
        with self._lock:
            self._listed = listed
        return found

    def has(self, session_id: str, entries: dict[str, Entry] | None = None) -> bool:
        entry = self._record(session_id) if entries is None else entries.get(session_id)
        if entry is None:
            return False
        with self._lock:
            listed = self._listed if entries is not None else None
        size = (
            self._size(self.key(entry.file)) if listed is None else listed.get(self.key(entry.file))
        )
        return size == entry.bytes

    def save(
        self,
        session: SessionInfo,
        get_url: Callable[[bool], str],
        *,
        client: StorageClient,
        now: Callable[[], datetime] = utc_now,
        progress: Progress | None = None,
    ) -> Entry:
        """Stream one session's chat into the bucket and record it; see the module's docstring.

        Whether the key is taken comes from the run's listing (``entries``), or else from a
        HEAD beside the download. The entry record is written on a side thread; the next save
        waits for it before its download (a failed record then fails loudly, naming its
        session). Letting that download run beside the record was measured slower: two threads
        doing Python work at once wait for each other's GIL at every socket call.
        """
        self._settle_records()
        name = archive_filename(session)
        taken = self._taken(self.key(name))
        staging = self.key(f"{STATE}/incoming/{session.session_id}.{secrets.token_hex(8)}")
        with ObjectWriter(self.client, self.bucket, staging, self.buffers) as writer:
            try:
                saved = stream_into(get_url, writer, client=client, progress=progress)
            except BaseException:
                taken.cancel()  # a failed download needs no answer
                raise
            kept = name
            if taken.result() is not None:
                record = self._record(session.session_id)
                if record is not None and self._size(self.key(record.file)) == record.bytes:
                    return record  # another run archived it since this one listed the archive
                kept = side_name(name, now())
            try:
                writer.finish(saved, self.key(kept))
            except Taken:  # another run stored it a moment ago: beside it, never over it
                kept = side_name(name, now())
                writer.finish(saved, self.key(kept))
        if kept != name and self._sha256(self.key(name)) == saved.sha256:
            with bucket_errors(f"drop the copy {kept}"):
                self.client.delete_object(Bucket=self.bucket, Key=self.key(kept))
            kept = name
        with self._lock:
            if self._listed is not None:
                self._listed[self.key(kept)] = saved.size
        entry = make_entry(session, kept, saved, now())
        record_body = entry_line(entry).encode("utf-8")
        recording = self._side().submit(self._put, self._record_key(entry.session), record_body)
        with self._lock:
            self._recording.append((entry, recording))
        if time.monotonic() - self._published_at >= PUBLISH_EVERY_SECONDS:
            self.flush()
        return entry

    def _taken(self, key: str) -> Future[int | None]:
        """The size of what is at ``key`` already, or None."""
        with self._lock:
            listed = self._listed
        if listed is None:
            return self._side().submit(self._size, key)  # while the chat downloads
        known: Future[int | None] = Future()
        known.set_result(listed.get(key))
        return known

    def _side(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._side_pool is None:
                self._side_pool = ThreadPoolExecutor(2, thread_name_prefix="chatdump-s3-side")
            return self._side_pool

    def _settle_records(self) -> None:
        """Wait for the entry records being written; a failed one fails, naming its session."""
        with self._lock:
            recording, self._recording = self._recording, []
        for entry, written in recording:
            try:
                written.result()
            except errors.ChatdumpError as exc:
                raise type(exc)(
                    f"Session {entry.session} was stored but could not be recorded: {exc.message}",
                    code=exc.code,
                ) from exc
            with self._lock:
                self._unpublished[entry.session] = entry

    def flush(self) -> None:
        """Bring ``manifest.jsonl`` up to date with every entry record (see the docstring)."""
        self._settle_records()
        with self._lock:
            mine, self._unpublished = self._unpublished, {}
            self._published_at = time.monotonic()
        for _ in range(MANIFEST_ROUNDS):
            current = self._manifest()
            merged = {**current, **self._records(skip=set(current) | set(mine))}
            for entry in mine.values():
                if entry.session not in current or current[entry.session].file != entry.file:
                    merged[entry.session] = entry  # new, or re-archived: the newer record
            if merged == current:
                return
            ordered = sorted(merged.values(), key=lambda e: (e.archived_at, e.session))
            self._put(self.key(MANIFEST), "".join(map(entry_line, ordered)).encode("utf-8"))
            mine = {}
        log.warning("the manifest of %s is still catching up; the next run completes it", self)

    # -- the manifest and its entry records ------------------------------------------------
    def _record_key(self, session_id: str) -> str:
        return self.key(f"{STATE}/entries/{session_id}.json")

    def _record(self, session_id: str) -> Entry | None:
        body = self._get(self._record_key(session_id))
        return parse_entry(body.decode("utf-8", errors="replace")) if body is not None else None

    def _records(self, skip: set[str]) -> dict[str, Entry]:
        """The entry records of the sessions not in ``skip``."""
        found: dict[str, Entry] = {}
        folder = self._record_key("")[: -len(".json")]
        with bucket_errors("list the archive"):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=folder
            )
            keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
        for key in keys:
            session_id = key[len(folder) :].removesuffix(".json")
            if session_id not in skip and (entry := self._record(session_id)) is not None:
                found[entry.session] = entry
        return found

    def _chat_sizes(self) -> dict[str, int]:
        """The keys and sizes of the objects beside the manifest (not under ``.chatdump/``)."""
        with bucket_errors("list the archive"):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.key(""), Delimiter="/"
            )
            return {
                item["Key"]: item["Size"] for page in pages for item in page.get("Contents", [])
            }

    def _manifest(self) -> dict[str, Entry]:
        found: dict[str, Entry] = {}
        body = self._get(self.key(MANIFEST))
        for line in (body or b"").decode("utf-8", errors="replace").splitlines():
            if (entry := parse_entry(line)) is not None:
                found[entry.session] = entry
        return found

    # -- small calls ------------------------------------------------------------------------
    def _size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        with bucket_errors(f"look up {key}"):
            try:
                size: int = self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"]
                return size
            except ClientError as exc:
                if _code(exc) in ("404", "NoSuchKey", "NotFound"):
                    return None
                raise

    def _get(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        with bucket_errors(f"read {key}"):
            try:
                body: bytes = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
                return body
            except ClientError as exc:
                if _code(exc) in ("404", "NoSuchKey", "NotFound"):
                    return None
                raise

    def _put(self, key: str, body: bytes) -> None:
        with bucket_errors(f"write {key}"):
            self.client.put_object(
                Bucket=self.bucket, Key=key, Body=body, ContentType="application/json",
            )  # fmt: skip

    def _sha256(self, key: str) -> str | None:
        """The stored object's sha256, read in chunks (constant memory)."""
        digest = hashlib.sha256()
        with bucket_errors(f"read {key}"):
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
            for chunk in body.iter_chunks(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()
