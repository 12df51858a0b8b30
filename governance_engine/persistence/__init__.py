"""Storage: SQLAlchemy models, repositories (all SQL), the unit of work, the log writer."""
