"""The isolation the suite runs at: ``GOVERNANCE_DB_ISOLATION``, checked as the service checks it.

CI runs the concurrency, reliability and end-to-end suites a second time with
``GOVERNANCE_DB_ISOLATION=serializable`` on PostgreSQL; SQLite ignores it.
"""

from __future__ import annotations

from governance_engine.config import isolation_level

ISOLATION = isolation_level()
