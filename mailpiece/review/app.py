"""The review desk as a FastAPI app: server-rendered pages, a small JSON API, and the frame images.

Pages: ``/`` (the newest queued piece), ``/piece/<id>``, ``/next?after=<id>`` (skip or time-out: the piece
stays queued), ``/stats``. API: ``/api/queue``, ``/api/zip/<zip5>`` (city and state as the reviewer types),
``POST /api/pieces/<id>/review`` (validated; 4xx JSON otherwise), ``/api/stats``. ``/image/<id>`` serves the
file the database names for that piece, nothing else.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from importlib.resources import files
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from mailpiece.inspect.zip_directory import ZipDirectory
from mailpiece.review import stats
from mailpiece.review.corrections import ZIP_SHAPE, CorrectionError, parse_review
from mailpiece.review.page import DAMAGE_KEYS, FILTERS, POSTAGE_KEYS, REASON_LABELS, piece_view
from mailpiece.review.security import TokenGuard, image_file, safe_piece_id
from mailpiece.review.store import ReviewStore, StoredPiece

RESOURCES = files("mailpiece") / "resources" / "review"
QUEUE_SHOWN = 200


def create_app(
    store: ReviewStore,
    *,
    token: str | None = None,
    countdown_s: float = 8.0,
    reviewer: str | None = None,
    directory: ZipDirectory | None = None,
) -> FastAPI:
    """The desk over ``store``; with ``token``, every request must carry it (see ``security``)."""
    directory = directory or ZipDirectory.shared()
    templates = Jinja2Templates(directory=str(RESOURCES / "templates"))
    app = FastAPI(title="mailpiece review desk", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=str(RESOURCES / "static")), name="static")
    if token:
        app.add_middleware(TokenGuard, token=token)

    def known_piece(piece_id: str) -> StoredPiece:
        stored = store.piece(piece_id) if safe_piece_id(piece_id) else None
        if stored is None:
            raise HTTPException(404, f"no piece {piece_id!r} in the results database")
        return stored

    def desk_page(request: Request, piece_id: str | None, reason: str | None) -> HTMLResponse:
        view = None
        if piece_id is not None:
            stored = known_piece(piece_id)
            view = piece_view(stored, image_file(stored.image_path, store.path.parent), directory)
        context = {
            "view": view, "reason": reason, "queue": store.queue(reason, limit=QUEUE_SHOWN),
            "counts": store.reason_counts(), "filters": FILTERS, "labels": REASON_LABELS,
            "postage_keys": POSTAGE_KEYS, "damage_keys": DAMAGE_KEYS, "countdown_s": countdown_s,
            "reason_query": f"?{urlencode({'reason': reason})}" if reason else "",
            "keys_json": json.dumps({"postage": dict(POSTAGE_KEYS), "damage": dict(DAMAGE_KEYS)}),
        }  # fmt: skip
        return templates.TemplateResponse(request, "desk.html", context)

    @app.get("/", response_class=HTMLResponse)
    def desk(request: Request, reason: str | None = None) -> HTMLResponse:
        return desk_page(request, store.next_after(None, _filter(reason)), _filter(reason))

    @app.get("/piece/{piece_id}", response_class=HTMLResponse)
    def piece(request: Request, piece_id: str, reason: str | None = None) -> HTMLResponse:
        return desk_page(request, piece_id, _filter(reason))

    @app.get("/next")
    def next_piece(after: str | None = None, reason: str | None = None) -> RedirectResponse:
        return RedirectResponse(_next_url(store, after, _filter(reason)), status_code=303)

    @app.get("/image/{piece_id}")
    def image(piece_id: str) -> FileResponse:
        path = image_file(known_piece(piece_id).image_path, store.path.parent)
        if path is None:
            raise HTTPException(404, f"no image stored for piece {piece_id!r}")
        return FileResponse(path, headers={"Cache-Control": "private, max-age=3600"})

    @app.get("/api/queue")
    def queue(reason: str | None = None) -> dict[str, Any]:
        items = store.queue(_filter(reason))
        return {"counts": store.reason_counts(), "items": [asdict(item) for item in items]}

    @app.get("/api/zip/{zip5}")
    def zip_lookup(zip5: str) -> JSONResponse:
        if not ZIP_SHAPE.match(zip5) or len(zip5) != 5:
            return JSONResponse({"detail": "a ZIP is 5 digits", "field": "zip"}, status_code=422)
        entry = directory.lookup(zip5)
        if entry is None:
            return JSONResponse({"detail": f"{zip5} is not in the directory", "zip5": zip5}, status_code=404)
        return JSONResponse({"zip5": zip5, "city": entry.city, "state": entry.state, "active": entry.active})

    @app.post("/api/pieces/{piece_id}/review")
    async def review(request: Request, piece_id: str, reason: str | None = None) -> JSONResponse:
        stored = await run_in_threadpool(known_piece, piece_id)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return JSONResponse({"detail": "send the review as application/json"}, status_code=415)
        try:
            body = json.loads(await request.body())
            verdict = parse_review(piece_id, body, reviewer)
        except json.JSONDecodeError:
            return JSONResponse({"detail": "the body is not valid JSON", "field": "body"}, status_code=422)
        except CorrectionError as error:
            return JSONResponse(error.to_dict(), status_code=422)
        rows = await run_in_threadpool(store.record_review, verdict, stored.result)
        following = await run_in_threadpool(_next_url, store, piece_id, _filter(reason))
        return JSONResponse({"saved": [asdict(row) for row in rows], "next": following})

    @app.get("/stats", response_class=HTMLResponse)
    def stats_page(request: Request, bucket: str = "hour") -> HTMLResponse:
        rows = stats.reject_rates(store, _bucket(bucket))
        context = {
            "rows": rows, "reasons": stats.reasons_seen(rows), "labels": REASON_LABELS, "bucket": bucket,
            "agreement": stats.agreement(store), "counts": store.reason_counts(),
        }  # fmt: skip
        return templates.TemplateResponse(request, "stats.html", context)

    @app.get("/api/stats")
    def stats_json(bucket: str = "hour") -> dict[str, Any]:
        rows = stats.reject_rates(store, _bucket(bucket))
        return {
            "reject_rates": [{**asdict(r), "reject_rate": r.reject_rate} for r in rows],
            "agreement": [{**asdict(a), "rate": a.rate} for a in stats.agreement(store)],
        }

    return app


def _filter(reason: str | None) -> str | None:
    if reason in (None, "", "all"):
        return None
    if reason not in FILTERS:
        raise HTTPException(422, f"unknown reason {reason!r}; one of {', '.join(FILTERS)}")
    return reason


def _bucket(bucket: str) -> str:
    if bucket not in stats.BUCKETS:
        raise HTTPException(422, f"bucket must be one of {', '.join(stats.BUCKETS)}")
    return bucket


def _next_url(store: ReviewStore, after: str | None, reason: str | None) -> str:
    """The desk URL of the queued piece after ``after``; the bare desk when the queue is empty."""
    following = store.next_after(after, reason)
    query = f"?{urlencode({'reason': reason})}" if reason else ""
    return f"/piece/{quote(following, safe='')}{query}" if following else f"/{query}"

