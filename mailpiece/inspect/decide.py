"""Turn what was read and seen into a decision: sort to a bin of the sort plan, or reject with reasons."""

from __future__ import annotations

from dataclasses import dataclass

from mailpiece.inspect.result import REASON_CODES, Address, ClassCall
from mailpiece.inspect.sort_plan import SortPlan


@dataclass(frozen=True, kw_only=True)
class Decision:
    decision: str  # "sort" or "reject"
    bin: str
    reasons: tuple[str, ...]


def decide(
    address: Address | None,
    address_reasons: tuple[str, ...],
    postage: ClassCall | None,
    damage: ClassCall | None,
    *,
    sort_plan: SortPlan,
) -> Decision:
    """All reasons that apply, in the contract's order; any reason means reject to the plan's reject bin."""
    reasons = set(address_reasons)
    if postage is not None and not postage.present:
        reasons.add("no_postage")
    if damage is not None and damage.present:
        reasons.add("damaged")
    ordered = tuple(code for code in REASON_CODES if code in reasons)
    if ordered:
        return Decision(decision="reject", bin=sort_plan.reject_bin, reasons=ordered)
    assert address is not None and address.zip5 is not None
    return Decision(decision="sort", bin=sort_plan.bin_for(address.zip5), reasons=())
