"""The desk's security rules: a token off localhost, images by piece id only, corrections validated."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mailpiece.cli import app as cli
from mailpiece.inspect.result import Result
from mailpiece.pipelines.records import PieceRecord
from mailpiece.pipelines.sqlite_sink import SqliteSink
from mailpiece.review.app import create_app
from mailpiece.review.security import TOKEN_COOKIE, TOKEN_HEADER, is_loopback, safe_piece_id
from mailpiece.review.store import ReviewStore

TOKEN = "correct horse battery staple"


def _client(db: Path, token: str | None = None) -> TestClient:
    return TestClient(create_app(ReviewStore(db), token=token), follow_redirects=False)


def _rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.parametrize(
    ("host", "local"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True),
     ("0.0.0.0", False), ("192.168.1.20", False), ("::", False), ("desk.example.org", False)],
)  # fmt: skip
def test_only_loopback_addresses_count_as_local(host: str, local: bool) -> None:
    assert is_loopback(host) is local


def test_the_command_refuses_to_listen_off_localhost_without_a_token(results_db: Path) -> None:
    result = CliRunner().invoke(cli, ["review", "--db", str(results_db), "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "MAILPIECE_REVIEW_TOKEN" in result.output


@pytest.mark.parametrize("path", ["/", "/stats", "/api/queue", "/api/zip/10001", "/image/piece_000000",
                                  "/static/desk.js", "/next"])  # fmt: skip
def test_with_a_token_every_request_needs_it(results_db: Path, path: str) -> None:
    client = _client(results_db, TOKEN)
    refused = client.get(path)
    assert refused.status_code == 401 and "token" in refused.json()["detail"]
    assert client.get(path, headers={TOKEN_HEADER: "wrong"}).status_code == 401
    assert client.get(path, headers={TOKEN_HEADER: TOKEN}).status_code in (200, 303)


def test_a_token_link_sets_a_cookie_once_and_drops_the_token_from_the_url(results_db: Path) -> None:
    client = _client(results_db, TOKEN)
    assert client.get("/?token=nope").status_code == 401
    landed = client.get("/?reason=damaged&token=" + TOKEN)
    assert landed.status_code == 303 and landed.headers["location"] == "/?reason=damaged"
    assert TOKEN_COOKIE in landed.headers["set-cookie"] and "httponly" in landed.headers["set-cookie"].lower()
    assert client.get("/").status_code == 200  # the client now sends the cookie
    posted = client.post("/api/pieces/piece_000000/review", json={"zip": "1"})
    assert posted.status_code == 422  # past the guard, stopped by validation


def test_a_piece_image_is_the_file_the_database_names(results_db: Path) -> None:
    (image_path,) = _rows(results_db, "SELECT image_path FROM results WHERE piece_id = 'piece_000000'")[0]
    response = _client(results_db).get("/image/piece_000000")
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    assert response.content == Path(image_path).read_bytes()


@pytest.mark.parametrize(
    "path",
    ["/image/..%2F..%2F..%2Fetc%2Fpasswd", "/image/%2Fetc%2Fpasswd", "/image/%2E%2E",
     "/image/..%5C..%5Cwin.ini", "/image/C:%5Cwindows%5Cwin.ini", "/image/piece_000000%00.jpg",
     "/image/no_such_piece", "/image/../../etc/passwd", "/piece/..%2Fresults.db",
     "/api/pieces/..%2Fx/review"],
)  # fmt: skip
def test_client_paths_and_traversal_are_refused_with_404(results_db: Path, path: str) -> None:
    client = _client(results_db)
    response = client.post(path, json={}) if path.startswith("/api") else client.get(path)
    assert response.status_code == 404


def test_only_image_files_named_by_the_database_are_served(results_db: Path, tmp_path: Path) -> None:
    """A crafted record naming a non-image file (or nothing) serves nothing; a relative path is found next
    to the database."""
    (tmp_path / "beside.jpg").write_bytes(b"\xff\xd8\xff\xe0 small")
    sink = SqliteSink(results_db)
    for piece_id, image_path in [("crafted_passwd", "/etc/passwd"), ("crafted_db", str(results_db)),
                                 ("crafted_none", None), ("crafted_relative", "beside.jpg")]:  # fmt: skip
        result = Result(piece_id=piece_id, source="crafted", decision="reject", bin="R01",
                        reasons=("bad_image",))
        sink.write([PieceRecord(result=result, image_path=image_path)])
    sink.close()
    client = _client(results_db)
    for piece_id in ("crafted_passwd", "crafted_db", "crafted_none"):
        assert client.get(f"/image/{piece_id}").status_code == 404
    assert client.get("/image/crafted_relative").content == (tmp_path / "beside.jpg").read_bytes()
    assert client.get("/piece/crafted_passwd").status_code == 200  # the page still shows the record


def test_piece_ids_with_path_parts_are_not_piece_ids() -> None:
    assert safe_piece_id("piece_000042") and safe_piece_id("cam1-000042")
    assert not any(safe_piece_id(p) for p in ["", "../x", "/etc/passwd", "a/b", "a\\b", "..", "C:x", "a\x00"])


@pytest.mark.parametrize(
    ("body", "field"),
    [({"zip": "1234", "postage": "stamp", "damage": "none"}, "zip"),
     ({"zip": "123456", "postage": "stamp", "damage": "none"}, "zip"),
     ({"zip": "12345-12", "postage": "stamp", "damage": "none"}, "zip"),
     ({"zip": "ABCDE", "postage": "stamp", "damage": "none"}, "zip"),
     ({"zip": 12345, "postage": "stamp", "damage": "none"}, "zip"),
     ({"zip": "12345", "postage": "gold", "damage": "none"}, "postage"),
     ({"zip": "12345", "damage": "none"}, "postage"),
     ({"zip": "12345", "postage": "stamp", "damage": "wet"}, "damage"),
     ({"zip": "12345", "postage": "stamp", "damage": "none", "bin": "B01"}, "bin"),
     (["12345", "stamp", "none"], "body")],
)  # fmt: skip
def test_bad_corrections_are_refused_with_a_clear_422(results_db: Path, body: object, field: str) -> None:
    response = _client(results_db).post("/api/pieces/piece_000000/review", json=body)
    assert response.status_code == 422
    assert response.json()["field"] == field and response.json()["detail"]
    assert _rows(results_db, "SELECT COUNT(*) FROM corrections") == [(0,)]


def test_a_body_that_is_not_json_is_refused(results_db: Path) -> None:
    client = _client(results_db)
    as_form = client.post("/api/pieces/piece_000000/review", data={"zip": "12345"})
    assert as_form.status_code == 415
    broken = client.post(
        "/api/pieces/piece_000000/review", content=b"{zip:", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422 and broken.json()["field"] == "body"
    missing = client.post("/api/pieces/no_such_piece/review", json={"postage": "stamp", "damage": "none"})
    assert missing.status_code == 404


def test_a_valid_correction_is_stored_beside_the_untouched_record(results_db: Path) -> None:
    before = _rows(results_db, "SELECT * FROM results ORDER BY piece_id")
    (record,) = _rows(results_db, "SELECT record FROM results WHERE piece_id = 'piece_000000'")[0]
    machine = json.loads(record)
    response = _client(results_db).post(
        "/api/pieces/piece_000000/review", json={"zip": "10001-1234", "postage": "meter", "damage": "none"}
    )
    assert response.status_code == 200, response.text
    assert _rows(results_db, "SELECT * FROM results ORDER BY piece_id") == before
    stored = _rows(results_db, "SELECT field, machine_value, human_value FROM corrections ORDER BY field")
    assert stored == [
        ("damage", machine["damage"]["kind"], "none"),
        ("postage", machine["postage"]["kind"], "meter"),
        ("zip", machine["address"]["zip5"] + (f"-{machine['address']['zip4']}" if machine["address"]["zip4"]
                                              else ""), "10001-1234"),
    ]  # fmt: skip
    assert response.json()["next"].startswith("/piece/")
