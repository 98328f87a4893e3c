"""Synthetic mail-piece frames with ground truth, and reading/writing datasets on disk.

Frame `index` of dataset `seed` is a pure function of (seed, index, config); see docs/synthetic.md.
"""

from mailpiece.datasets.config import SynthConfig
from mailpiece.datasets.contact_sheet import make_contact_sheet
from mailpiece.datasets.labels import (
    PIECE_TYPES,
    AddressLabel,
    DamageLabel,
    PieceLabel,
    PostageLabel,
    iter_labels,
    read_labels,
)
from mailpiece.datasets.render import SyntheticFrame, encode, piece_id, render_frame, render_spec
from mailpiece.datasets.spec import PieceSpec, sample_spec
from mailpiece.datasets.writer import DatasetSummary, class_counts, write_dataset

__all__ = [
    "PIECE_TYPES",
    "AddressLabel",
    "DamageLabel",
    "DatasetSummary",
    "PieceLabel",
    "PieceSpec",
    "PostageLabel",
    "SynthConfig",
    "SyntheticFrame",
    "class_counts",
    "encode",
    "iter_labels",
    "make_contact_sheet",
    "piece_id",
    "read_labels",
    "render_frame",
    "render_spec",
    "sample_spec",
    "write_dataset",
]
