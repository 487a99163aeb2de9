"""Conditional GET: an ETag (a hash of the body) and Last-Modified on every feed and
data file, and 304 Not Modified when the client already has it, so calendar apps that look
every few minutes cost a database read and nothing on the wire."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response


def cached(
    request: Request,
    body: bytes,
    media_type: str,
    *,
    last_modified: datetime | None = None,
    private: bool = False,
    max_age: int = 300,
) -> Response:
    """`body` with its validators, or an empty 304 if the request's validators match.
    If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        "Cache-Control": f"{'private' if private else 'public'}, max-age={max_age}",
    }
    if last_modified is not None:
        last_modified = last_modified.astimezone(UTC).replace(microsecond=0)
        headers["Last-Modified"] = format_datetime(last_modified, usegmt=True)
    if _fresh(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _fresh(request: Request, etag: str, last_modified: datetime | None) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = request.headers.get("if-modified-since")
    if since is None or last_modified is None:
        return False
    try:
        client_has = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if client_has.tzinfo is None:
        return False
    return last_modified <= client_has
