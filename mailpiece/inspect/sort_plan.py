"""The sort plan: which bin a ZIP code goes to, read from a small CSV the facility edits by hand.

Rows are ``prefix,bin`` where prefix is a 3-digit SCF (``061``), an inclusive SCF range (``010-027``),
a 5-digit ZIP (``06103``, wins over its SCF), ``*`` (the default bin) or ``reject`` (the reject bin).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

_SCF = re.compile(r"^\d{3}$")
_SCF_RANGE = re.compile(r"^(\d{3})-(\d{3})$")
_ZIP5 = re.compile(r"^\d{5}$")
_BIN = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


@dataclass(frozen=True, kw_only=True)
class SortPlan:
    """A loaded sort plan; look bins up with ``bin_for``."""

    by_zip5: dict[str, str]
    by_scf: dict[str, str]
    default_bin: str
    reject_bin: str
    source: str

    @classmethod
    def load(cls, path: Path | None = None) -> SortPlan:
        """Read a plan file; ``None`` reads the sample plan that ships with the package."""
        if path is None:
            sample = resources.files("mailpiece").joinpath("resources", "sort_plan.csv")
            return cls.parse(sample.read_text(encoding="utf-8"), source="mailpiece:resources/sort_plan.csv")
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"cannot read sort plan {path}: {exc}") from exc
        return cls.parse(text, source=str(path))

    @classmethod
    def parse(cls, text: str, *, source: str = "<text>") -> SortPlan:
        """Parse plan text; a malformed plan raises ``ValueError`` naming the file and line."""
        by_zip5: dict[str, str] = {}
        by_scf: dict[str, str] = {}
        special: dict[str, str] = {}
        seen_header = False
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            where = f"{source} line {number}"
            cells = [cell.strip() for cell in line.split(",")]
            if len(cells) != 2:
                raise ValueError(f"{where}: expected 'prefix,bin', got {raw!r}")
            prefix, bin_name = cells
            if not seen_header:
                if [c.lower() for c in cells] != ["prefix", "bin"]:
                    raise ValueError(f"{where}: the first row must be the header 'prefix,bin', got {raw!r}")
                seen_header = True
                continue
            if not _BIN.match(bin_name):
                raise ValueError(
                    f"{where}: bin name {bin_name!r} must be 1-32 letters, digits, '_', '-', '.'"
                )
            for key, table in _entries(prefix, where, by_zip5, by_scf, special):
                if key in table:
                    raise ValueError(f"{where}: prefix {key} already has bin {table[key]}")
                table[key] = bin_name
        missing = [name for name in ("*", "reject") if name not in special]
        if not seen_header or missing:
            raise ValueError(f"{source}: the plan needs a header and rows for {' and '.join(missing) or '*'}")
        return cls(
            by_zip5=by_zip5,
            by_scf=by_scf,
            default_bin=special["*"],
            reject_bin=special["reject"],
            source=source,
        )

    def bin_for(self, zip5: str) -> str:
        """The bin for a 5-digit ZIP: its own entry, else its SCF's, else the default bin."""
        if not isinstance(zip5, str) or not _ZIP5.match(zip5):
            raise ValueError(f"not a 5-digit ZIP code: {zip5!r}")
        return self.by_zip5.get(zip5) or self.by_scf.get(zip5[:3]) or self.default_bin

    @property
    def bins(self) -> tuple[str, ...]:
        """Every bin the plan can send a piece to, sorted, the reject bin included."""
        names = {self.default_bin, self.reject_bin, *self.by_zip5.values(), *self.by_scf.values()}
        return tuple(sorted(names))

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "default_bin": self.default_bin,
            "reject_bin": self.reject_bin,
            "by_zip5": dict(self.by_zip5),
            "by_scf": dict(self.by_scf),
        }


def _entries(
    prefix: str, where: str, by_zip5: dict[str, str], by_scf: dict[str, str], special: dict[str, str]
) -> list[tuple[str, dict[str, str]]]:
    """Yield (key, table) pairs one plan row fills: a range row fills one SCF per prefix it spans."""
    if prefix in ("*", "reject"):
        return [(prefix, special)]
    if _ZIP5.match(prefix):
        return [(prefix, by_zip5)]
    if _SCF.match(prefix):
        return [(prefix, by_scf)]
    match = _SCF_RANGE.match(prefix)
    if match:
        low, high = int(match[1]), int(match[2])
        if low > high:
            raise ValueError(f"{where}: range {prefix} runs backwards")
        return [(f"{scf:03d}", by_scf) for scf in range(low, high + 1)]
    raise ValueError(f"{where}: prefix {prefix!r} is not NNN, NNN-NNN, NNNNN, '*' or 'reject'")
