"""The result record's JSON Schema (Draft 2020-12), shipped in the package, and a validator for it.

The schema is the machine-readable form of docs/record.md: tests check every record they produce against
it, and consumers of ``mailpiece inspect --json`` or of a sink can do the same::

    from mailpiece.inspect.record_schema import validate_record
    validate_record(json.loads(line))  # raises RecordInvalid with every violation listed
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_RESOURCE = "result.schema.json"


class RecordInvalid(ValueError):  # noqa: N818 - reads as the domain statement "record invalid"
    """A record breaks the schema; the message lists every violation with its JSON path."""


@cache
def record_schema() -> dict[str, Any]:
    """The parsed schema, as shipped in ``mailpiece/resources``."""
    text = resources.files("mailpiece").joinpath("resources", SCHEMA_RESOURCE).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def _validator() -> Draft202012Validator:
    schema = record_schema()
    Draft202012Validator.check_schema(schema)  # a broken schema must fail loudly, not accept everything
    return Draft202012Validator(schema)


def record_errors(record: Any) -> list[str]:
    """Every way ``record`` breaks the schema, as ``path: message`` lines; empty when it is valid."""
    errors = sorted(_validator().iter_errors(record), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(record)'}: {e.message}" for e in errors]


def validate_record(record: Any) -> None:
    """Raise ``RecordInvalid`` unless ``record`` (a decoded JSON object) is a valid result record."""
    errors = record_errors(record)
    if errors:
        piece = record.get("piece_id") if isinstance(record, dict) else None
        raise RecordInvalid(f"record {piece!r} breaks the result schema:\n  " + "\n  ".join(errors))
