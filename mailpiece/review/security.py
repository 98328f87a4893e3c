"""The desk's guards: a token on every request off localhost, and images found by piece id only.

The token travels as the ``X-Review-Token`` header or the ``mailpiece_review_token`` cookie, which a
``?token=`` link sets once (then redirects to the same page without it, so it does not linger in history).
Images are never named by the client: the page asks for ``/image/<piece id>`` and the file is the one the
database's ``image_path`` names, and only if it is an image file.
"""

from __future__ import annotations

import hmac
import ipaddress
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

TOKEN_HEADER = "x-review-token"
TOKEN_COOKIE = "mailpiece_review_token"
TOKEN_ENV = "MAILPIECE_REVIEW_TOKEN"
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp"})


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the desk on this machine (no token needed there)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class TokenGuard:
    """ASGI middleware: every request must carry the token (header or cookie), else 401 JSON."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        if not token:
            raise ValueError("an empty review token would let everyone in")
        self.app = app
        self.token = token.encode()

    def _matches(self, candidate: str | None) -> bool:
        return candidate is not None and hmac.compare_digest(candidate.encode(), self.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        offered = request.query_params.get("token")
        if offered is not None and self._matches(offered):
            response = RedirectResponse(_without_token(request.url), status_code=303)
            response.set_cookie(TOKEN_COOKIE, offered, httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        if self._matches(request.headers.get(TOKEN_HEADER)) or self._matches(
            request.cookies.get(TOKEN_COOKIE)
        ):
            await self.app(scope, receive, send)
            return
        response = JSONResponse(
            {"detail": f"a review token is required: send the {TOKEN_HEADER} header, "
                       "or open the desk once with ?token=..."},
            status_code=401,
        )  # fmt: skip
        await response(scope, receive, send)


def _without_token(url: URL) -> str:
    query = urlencode([(k, v) for k, v in parse_qsl(url.query, keep_blank_values=True) if k != "token"])
    return url.path + (f"?{query}" if query else "")


def safe_piece_id(piece_id: str) -> bool:
    """A piece id as the client may send it: a plain name, never a path (no separators, ``..``, drives)."""
    return bool(piece_id) and not (
        "/" in piece_id
        or "\\" in piece_id
        or "\x00" in piece_id
        or ".." in piece_id
        or PurePosixPath(piece_id).is_absolute()
        or PureWindowsPath(piece_id).drive
    )


def image_file(image_path: str | None, db_dir: Path) -> Path | None:
    """The image file a record names, if it is one: relative paths are tried from the working folder (where
    the line ran), then from the database's folder; anything but an existing image file is ``None``."""
    if not image_path:
        return None
    path = Path(image_path)
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        return None
    candidates = [path] if path.is_absolute() else [Path.cwd() / path, db_dir / path]
    return next((c for c in candidates if c.is_file()), None)
