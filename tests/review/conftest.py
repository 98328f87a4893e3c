"""Shared set-up for the review desk tests: a results database of real synthetic frames, inspected for real.

Five frames of the demo's seed go through the shipped inspector (Tesseract, the ZIP directory, the CNN)
and into SQLite through the pipeline's own sink, one write each, so newest-first order is the frame order.
Each test gets its own copy of that database; the frames are shared and never written.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

FRAMES = 5
SEED = 2026  # the demo's seed: four of its first five frames are rejected (no postage, damaged)


@pytest.fixture(scope="session")
def inspected_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mailpiece.datasets import write_dataset
    from mailpiece.inspect.factory import build_inspector
    from mailpiece.inspect.frame import Frame
    from mailpiece.pipelines.records import PieceRecord
    from mailpiece.pipelines.sqlite_sink import SqliteSink

    root = tmp_path_factory.mktemp("review")
    write_dataset(root / "dataset", FRAMES, seed=SEED, progress=False)
    inspector = build_inspector(device="cpu")
    sink = SqliteSink(root / "inspected.db")
    for path in sorted((root / "dataset" / "frames").glob("*.jpg")):
        sink.write([PieceRecord(result=inspector(Frame.from_path(path)), image_path=str(path))])
        time.sleep(0.002)  # distinct write times, so newest-first is the frame order
    sink.close()
    return root / "inspected.db"


@pytest.fixture
def results_db(inspected_db: Path, tmp_path: Path) -> Path:
    """A private copy of the inspected database (SQLite's backup API, so the WAL comes along)."""
    target = tmp_path / "results.db"
    with sqlite3.connect(inspected_db) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target


class LiveDesk:
    """The desk served by uvicorn in a thread on a free loopback port, for the browser tests.

    The port's socket is bound here and handed to uvicorn, never closed in between: picking a free port
    and binding it later leaves a window in which another process (the suite starts many Ray workers)
    can take it.
    """

    def __init__(self, app: object) -> None:
        import uvicorn

        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> LiveDesk:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the review desk did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium driven by Selenium (Debian's chromium and chromium-driver)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1440,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()
