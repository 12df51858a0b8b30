"""The command line starts light: parsing and ``--help`` load neither the database layer nor
the services nor the web stack; each command imports what it needs when it runs.

(Its speed is measured by ``benchmarks/startup.py``; this checks the structure that makes it
fast, so a stray top-level import fails here rather than slowing every command down.)
"""

from __future__ import annotations

import json
import subprocess
import sys

from governance_engine.cli._log import EXPORT_FORMATS
from governance_engine.services.exports import FORMATS

HEAVY = (
    "sqlalchemy",
    "alembic",
    "fastapi",
    "httpx",
    "uvicorn",
    "transitions",
    "governance_engine.persistence",
    "governance_engine.services",
    "governance_engine.lifecycle",
    "api",
)

PROBE = """
import json, sys
from governance_engine.cli import build_parser
build_parser()
print(json.dumps(sorted(sys.modules)))
"""


def test_building_the_parser_imports_nothing_heavy() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = json.loads(result.stdout)
    heavy = [name for name in loaded if any(name == h or name.startswith(h + ".") for h in HEAVY)]
    assert heavy == []


def test_the_export_formats_offered_are_the_ones_the_service_writes() -> None:
    assert EXPORT_FORMATS == FORMATS
