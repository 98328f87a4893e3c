"""The QA review desk: flagged pieces in a web page, keyboard corrections, corrections back into training.

``store`` reads the pipeline's SQLite results and keeps the desk's own ``corrections`` table in the same file
(the machine's ``results`` rows are never written); ``corrections`` validates what a reviewer keys;
``export`` turns reviewed pieces into a dataset folder that ``mailpiece train --extra`` reads; ``app`` is the
FastAPI page and API, guarded by ``security``. Only ``app`` and ``security`` import the web stack.
"""
