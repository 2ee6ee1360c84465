"""S3-like object storage for the demo: presigned GET URLs that really expire.

URLs look like S3's (``X-Amz-Date``, ``X-Amz-Expires``, ``X-Amz-Signature``) and failures answer like
S3 does, with its XML error bodies: 403 ``AccessDenied`` "Request has expired", 403
``SignatureDoesNotMatch``, 404 ``NoSuchKey``. Like a bucket with a permissive CORS rule, any origin
may fetch.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_RANGE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Content-Length, ETag, Content-Range, Accept-Ranges",
}


class DemoStorage:
    def __init__(self, base_url: str, objects: Mapping[str, bytes], *, secret: bytes) -> None:
        self.base_url = base_url.rstrip("/")
        self.objects = dict(objects)
        # S3 keeps an object's ETag from its upload; hashing the body on every request made each
        # byte range of a 100 MB dump wait ~170 ms for its first byte (bench/bench_widget.py).
        self._etags: dict[str, tuple[bytes, str]] = {}
        self._secret = secret
        self.app = Starlette(routes=[Route("/{key:path}", self._serve, methods=["GET", "HEAD"])])

    def presign(self, key: str, *, expires_in: int, now: datetime) -> str:
        date = now.astimezone(UTC).strftime(_DATE_FORMAT)
        query = {
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            "X-Amz-Date": date,
            "X-Amz-Expires": str(expires_in),
            "X-Amz-Signature": self._signature(key, date, str(expires_in)),
        }
        return f"{self.base_url}/{quote(key)}?{urlencode(query)}"

    def _etag(self, key: str, body: bytes) -> str:
        """The object's ETag, computed once per stored body (a replaced body gets its own)."""
        known = self._etags.get(key)
        if known is None or known[0] is not body:
            known = (body, '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"')
            self._etags[key] = known
        return known[1]

    def _signature(self, key: str, date: str, expires: str) -> str:
        message = f"GET\n{key}\n{date}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    async def _serve(self, request: Request) -> Response:
        key = request.path_params["key"]
        params = request.query_params
        date, expires = params.get("X-Amz-Date", ""), params.get("X-Amz-Expires", "")
        given = params.get("X-Amz-Signature", "")
        if not hmac.compare_digest(given, self._signature(key, date, expires)):
            return _s3_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        now = datetime.now(UTC)
        expiry = datetime.strptime(date, _DATE_FORMAT).replace(tzinfo=UTC) + timedelta(
            seconds=int(expires)
        )
        if now >= expiry:
            return _s3_error(
                403, "AccessDenied", "Request has expired",
                {"X-Amz-Expires": expires, "Expires": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "ServerTime": now.strftime("%Y-%m-%dT%H:%M:%SZ")},
            )  # fmt: skip
        body = self.objects.get(key)
        if body is None:
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        headers = {
            **CORS_HEADERS,
            "ETag": self._etag(key, body),
        }
        status, part = 200, body
        wanted = request.headers.get("range")
        if wanted is not None:
            span = byte_range(wanted, len(body))
            if span is None:
                return _s3_error(
                    416, "InvalidRange", "The requested range is not satisfiable",
                    {"RangeRequested": wanted[:100], "ActualObjectSize": str(len(body))},
                )  # fmt: skip
            status, part = 206, body[span[0] : span[1] + 1]
            headers["Content-Range"] = f"bytes {span[0]}-{span[1]}/{len(body)}"
        headers["Accept-Ranges"] = "bytes"
        content = b"" if request.method == "HEAD" else part
        response = Response(content, status_code=status, media_type="text/csv", headers=headers)
        response.headers["Content-Length"] = str(len(part))
        return response


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """``bytes=N-``, ``bytes=N-M`` or ``bytes=-N`` as inclusive (first, last); None if unsatisfiable.

    One range only, like S3 (which ignores the others).
    """
    found = _RANGE.fullmatch(header.strip())
    if found is None or size == 0:
        return None
    first, last = found.group(1), found.group(2)
    if not first:
        if not last or int(last) == 0:
            return None
        return max(size - int(last), 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    return (start, end) if start <= end else None


def _s3_error(
    status: int, code: str, message: str, extra: Mapping[str, str] | None = None
) -> Response:
    fields = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in (extra or {}).items())
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{escape(message)}</Message>{fields}</Error>"
    )
    return Response(body, status_code=status, media_type="application/xml", headers=CORS_HEADERS)
