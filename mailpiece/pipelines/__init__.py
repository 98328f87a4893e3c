"""Everything Ray: sources, worker actors, the results queue and the sinks. The only package importing ray.

Start with :func:`run_pipeline` (docs/pipeline.md); the CLI's ``mailpiece run`` is a thin layer over it.
"""

from mailpiece.pipelines.driver import run_pipeline
from mailpiece.pipelines.records import PieceRecord, Sink
from mailpiece.pipelines.sinks import DEFAULT_SINK, JsonlSink, StdoutSink, open_sink
from mailpiece.pipelines.sources import FolderSource, Source, SourceItem, SyntheticSource, open_source
from mailpiece.pipelines.sqlite_sink import SqliteSink
from mailpiece.pipelines.summary import RunSummary
from mailpiece.pipelines.workers import InspectorSettings

__all__ = [
    "DEFAULT_SINK",
    "FolderSource",
    "InspectorSettings",
    "JsonlSink",
    "PieceRecord",
    "RunSummary",
    "Sink",
    "Source",
    "SourceItem",
    "SqliteSink",
    "StdoutSink",
    "SyntheticSource",
    "open_sink",
    "open_source",
    "run_pipeline",
]
