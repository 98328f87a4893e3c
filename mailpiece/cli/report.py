"""Rich tables for evaluation scores, shared by `evaluate` and the demo."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from mailpiece.datasets.labels import PieceLabel
from mailpiece.inspect.evaluation import AddressScores, CnnScores, Truth


def truths_of(labels: list[PieceLabel]) -> list[Truth]:
    """The ground truth the scoring needs, from a dataset's labels."""
    return [
        Truth(piece_id=label.piece_id, zip5=label.address.zip5, sortable=label.sortable,
              postage_kind=label.postage.kind, damage_kind=label.damage.kind, orientation=label.orientation)
        for label in labels
    ]  # fmt: skip


def percent(value: float | None) -> str:
    """A rate as a percentage with one decimal, or "-" when there is none."""
    return "-" if value is None else f"{100 * value:.1f}%"


def print_address_scores(console: Console, scores: AddressScores) -> None:
    """Headline rates, reject reasons, the confidence curve and latency percentiles."""
    head = Table(title="Address reading", show_header=False)
    head.add_row(
        "sortable pieces finalized with the right ZIP",
        f"{scores.finalized_right}/{scores.sortable} = {percent(scores.finalization_rate)}",
    )
    head.add_row(
        "mis-sorts (wrong ZIP accepted), of all pieces",
        f"{scores.missorted}/{scores.pieces} = {percent(scores.missort_rate)}",
    )
    if scores.orientation_known:
        head.add_row("orientation right", f"{scores.orientation_right}/{scores.orientation_known}")
    head.add_row("decisions", ", ".join(f"{k} {v}" for k, v in sorted(scores.decisions.items())))
    head.add_row("reject reasons", ", ".join(f"{k} {v}" for k, v in sorted(scores.reasons.items())) or "-")
    console.print(head)
    curve = Table(title="Read rate vs error over the confidence threshold")
    for column in ("threshold", "read rate", "error rate"):
        curve.add_column(column, justify="right")
    for point in scores.curve[::2]:
        curve.add_row(f"{point.threshold:.2f}", percent(point.read_rate), percent(point.error_rate))
    console.print(curve)
    latency = Table(title="Latency per stage (ms)")
    for column in ("stage", "p50", "p95"):
        latency.add_column(column, justify="right")
    for stage, (p50, p95) in scores.latency_ms.items():
        latency.add_row(stage, f"{p50:.1f}", f"{p95:.1f}")
    console.print(latency)


def print_cnn_scores(console: Console, scores: CnnScores) -> None:
    """Per-class precision/recall, confusion matrices, and the catch vs false-reject curve."""
    for head in (scores.postage, scores.damage):
        table = Table(title=f"{'Postage' if head is scores.postage else 'Damage'}: rows true, columns called")
        table.add_column("true \\ called")
        for name in head.classes:
            table.add_column(name, justify="right")
        table.add_column("precision", justify="right")
        table.add_column("recall", justify="right")
        pr = head.precision_recall()
        for name, row in zip(head.classes, head.confusion, strict=True):
            table.add_row(name, *map(str, row), percent(pr[name][0]), percent(pr[name][1]))
        console.print(table)
    curve = Table(title="CNN rejects over the threshold (both heads)")
    for column in ("threshold", "unpaid caught", "damaged caught", "good rejected"):
        curve.add_column(column, justify="right")
    for r in scores.curve:
        curve.add_row(
            f"{r.postage_threshold:.2f}",
            percent(r.unpaid_caught),
            percent(r.damaged_caught),
            percent(r.good_rejected),
        )
    console.print(curve)
    c = scores.at_config
    console.print(
        f"as the records decided (no_postage at {c.postage_threshold} or an empty stamp box, damaged at "
        f"{c.damage_threshold}): unpaid caught {percent(c.unpaid_caught)} of {c.unpaid}, damaged caught "
        f"{percent(c.damaged_caught)} of {c.damaged}, good rejected {percent(c.good_rejected)} of {c.good}"
    )
