"""`mailpiece review`: the QA review desk, a web page over a results database."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer


def review(
    db: Path = typer.Option(Path("results.db"), "--db", help="The results database the pipeline wrote."),
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on; anything but localhost requires a token."
    ),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    token: str | None = typer.Option(
        None,
        "--token",
        envvar="MAILPIECE_REVIEW_TOKEN",
        help="Token every request must carry (header X-Review-Token, or open the desk once with ?token=).",
    ),
    countdown: float = typer.Option(
        8.0, "--countdown", min=0.0, help="Seconds per piece before it moves on, still queued (0: no limit)."
    ),
    unsure_below: float = typer.Option(
        0.8, "--unsure-below", min=0.0, max=1.0,
        help="Also queue sorted pieces whose address confidence is under this.",
    ),  # fmt: skip
    reviewer: str | None = typer.Option(
        None, "--reviewer", help="Name stored with each correction (default: the login name)."
    ),
) -> None:
    """Serve the QA review desk: flagged pieces, keyboard corrections, stats.

    Corrections go into a `corrections` table in the same database; the machine's records are never changed.
    """
    from mailpiece.review.security import is_loopback

    if not db.is_file():
        raise typer.BadParameter(f"no results database at {db}", param_hint="--db")
    if not is_loopback(host) and not token:
        raise typer.BadParameter(
            f"listening on {host} exposes the desk beyond this machine: give --token or set "
            "MAILPIECE_REVIEW_TOKEN",
            param_hint="--host",
        )
    import uvicorn

    from mailpiece.review.app import create_app
    from mailpiece.review.store import ReviewStore

    try:
        store = ReviewStore(db, unsure_below=unsure_below)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--db") from error
    app = create_app(store, token=token, countdown_s=countdown, reviewer=reviewer or _login())
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"review desk on http://{shown}:{port}/ over {db} ({store.reason_counts()['all']} to review)")
    if token:
        typer.echo(f"open http://{shown}:{port}/?token=<your token> once; the browser keeps it as a cookie")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _login() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None
