"""The desk in a real headless Chromium: correct a ZIP with the keyboard alone, see the next piece, find the
correction in SQLite, export it as a dataset and train one tiny epoch on the export."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from typer.testing import CliRunner

from mailpiece.cli import app as cli
from mailpiece.review.app import create_app
from mailpiece.review.store import ReviewStore
from tests.review.conftest import LiveDesk

pytestmark = pytest.mark.slow
# A page being replaced by the next one can drop an element between finding and reading it.
PAGE_TURN = (NoSuchElementException, StaleElementReferenceException)


def _wait(browser, timeout: float) -> WebDriverWait:
    return WebDriverWait(browser, timeout, ignored_exceptions=PAGE_TURN)


def _piece_on_page(browser) -> str:
    return browser.find_element(By.ID, "desk").get_attribute("data-piece")


def _wait_for_piece(browser, piece_id: str, timeout: float = 15) -> None:
    _wait(browser, timeout).until(lambda b: _piece_on_page(b) == piece_id)


def _chosen(browser, field: str) -> str:
    return browser.find_element(By.CSS_SELECTOR, f'.kinds[data-field="{field}"] .kind.on').get_attribute(
        "data-kind"
    )


def test_keyboard_correction_then_export_and_train(browser, results_db: Path, tmp_path: Path) -> None:
    store = ReviewStore(results_db, unsure_below=1.01)  # every piece queued, whatever the CNN decided
    queue = [item.piece_id for item in store.queue()]
    assert len(queue) == 5
    with LiveDesk(create_app(store, countdown_s=120, reviewer="qa-test")) as desk:
        browser.get(desk.url + "/")
        _wait_for_piece(browser, queue[0])  # newest first
        listed = [a.get_attribute("data-piece") for a in browser.find_elements(By.CSS_SELECTOR, "#queue a")]
        assert listed == queue
        zip_field = browser.switch_to.active_element
        assert zip_field.get_attribute("id") == "zip"  # focus lands in the ZIP field

        zip_field.send_keys("123", Keys.ENTER)  # the machine's ZIP was selected: typing replaces it
        _wait(browser, 10).until(lambda b: "ZIP must be" in b.find_element(By.ID, "error").text)
        assert _piece_on_page(browser) == queue[0]

        active = browser.switch_to.active_element
        active.send_keys(Keys.BACKSPACE * 5, "10001")
        _wait(browser, 10).until(lambda b: b.find_element(By.ID, "place").text == "NEW YORK, NY")
        active.send_keys("s", "t")  # postage: stamp, damage: torn
        assert (_chosen(browser, "postage"), _chosen(browser, "damage")) == ("stamp", "torn")
        active.send_keys(Keys.ENTER)
        _wait_for_piece(browser, queue[1])  # saved, and the next piece is up

        rows = sqlite3.connect(results_db).execute(
            "SELECT field, machine_value, human_value, reviewer FROM corrections WHERE piece_id = ?",
            (queue[0],),
        ).fetchall()
        machine = store.piece(queue[0]).result
        assert sorted(rows) == sorted([
            ("zip", machine.address.zip5 + (f"-{machine.address.zip4}" if machine.address.zip4 else ""),
             "10001", "qa-test"),
            ("postage", machine.postage.kind, "stamp", "qa-test"),
            ("damage", machine.damage.kind, "torn", "qa-test"),
        ])  # fmt: skip

        browser.switch_to.active_element.send_keys(Keys.ENTER)  # the second piece: the machine was right
        _wait_for_piece(browser, queue[2])
        left = [a.get_attribute("data-piece") for a in browser.find_elements(By.CSS_SELECTOR, "#queue a")]
        assert left == queue[2:]
        browser.switch_to.active_element.send_keys(Keys.ESCAPE)  # skip the third: it stays queued
        _wait_for_piece(browser, queue[3])
        left = [a.get_attribute("data-piece") for a in browser.find_elements(By.CSS_SELECTOR, "#queue a")]
        assert left == queue[2:]

    out = tmp_path / "corrections"
    exported = CliRunner().invoke(cli, ["export-labels", "--db", str(results_db), str(out)])
    assert exported.exit_code == 0, exported.output
    lines = (out / "labels.jsonl").read_text().splitlines()
    labels = {line["piece_id"]: line for line in map(json.loads, lines)}
    assert set(labels) == {queue[0], queue[1]}
    first = labels[queue[0]]
    assert (first["postage"]["kind"], first["damage"]["kind"]) == ("stamp", "torn")
    assert (first["address"]["zip5"], first["address"]["city"], first["address"]["state"]) == (
        "10001", "NEW YORK", "NY",
    )  # fmt: skip
    assert (out / first["image"]).read_bytes() == Path(store.piece(queue[0]).image_path).read_bytes()
    assert len(first["piece_quad"]) == 4 and first["review"]["changed"]

    runs = tmp_path / "train"
    trained = CliRunner().invoke(cli, [
        "train", "--extra", str(out), "--val", str(out), "--epochs", "1", "--batch-size", "2",
        "--workers", "0", "--device", "cpu", "--seed", "0", "--out", str(runs),
    ])  # fmt: skip
    assert trained.exit_code == 0, trained.output
    from mailpiece.models.checkpoint import load_checkpoint

    model = load_checkpoint(runs / "postage_damage.pt")
    assert model.info.training["sources"] == [str(out)] and model.info.training["frames"] == 2


def test_an_expired_countdown_moves_on_and_keeps_the_piece_queued(browser, results_db: Path) -> None:
    store = ReviewStore(results_db, unsure_below=1.01)
    queue = [item.piece_id for item in store.queue()]
    with LiveDesk(create_app(store, countdown_s=2.0)) as desk:
        browser.get(f"{desk.url}/piece/{queue[0]}")
        _wait_for_piece(browser, queue[0])
        assert browser.find_element(By.ID, "secs").text.endswith(" s")
        _wait_for_piece(browser, queue[1], timeout=15)  # nobody typed: time ran out
    assert [item.piece_id for item in store.queue()] == queue  # the expired piece stays queued
    assert store.corrections() == []
