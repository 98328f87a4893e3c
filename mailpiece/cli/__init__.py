"""The `mailpiece` command line: a thin outer layer over the package.

Each command lives in its own module with a plain typer-annotated function; this module only wires them
into one app. Command modules import their heavy dependencies (torch, ray, OpenCV) inside the function, so
`mailpiece --help` stays fast.
"""

from __future__ import annotations

import typer

from mailpiece import __version__

app = typer.Typer(
    name="mailpiece",
    help="Inspect camera frames of mail pieces: read the destination, check postage and damage, "
    "then sort to a bin or reject with reasons.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mailpiece {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Inspect camera frames of mail pieces and decide where each one goes."""


def _register() -> None:
    """Wire each command module's function into the app, in the order --help lists them."""
    from mailpiece.cli import demo, evaluate, export_labels, inspect_frames, review, run, synth, train

    app.command("demo")(demo.demo)
    app.command("synth")(synth.synth)
    app.command("inspect")(inspect_frames.inspect)
    app.command("run")(run.run)
    app.command("train")(train.train)
    app.command("evaluate")(evaluate.evaluate)
    app.command("review")(review.review)
    app.command("export-labels")(export_labels.export_labels)


_register()


def main() -> None:
    """Console-script entry point."""
    app()
