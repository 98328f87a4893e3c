"""mailpiece: inspect camera frames of mail pieces and decide, for each piece, where it goes."""

__version__ = "0.1.0"
