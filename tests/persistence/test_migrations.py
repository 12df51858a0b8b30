from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from governance_engine.persistence import migrate
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import metadata


def test_there_is_exactly_one_head() -> None:
    assert len(migrate.head_revisions()) == 1


def test_revision_files_are_date_prefixed() -> None:
    files = [p.name for p in (migrate.migrations_path() / "versions").glob("*.py")]
    revisions = [name for name in files if name != "__init__.py"]
    assert revisions
    assert all(name[:8].isdigit() and name[8] == "_" for name in revisions), revisions


def test_empty_to_head_to_base_to_head(empty_database_url: str) -> None:
    database = Database(empty_database_url)
    try:
        migrate.upgrade(database.engine)
        assert migrate.current_revisions(database.engine) == migrate.head_revisions()
        migrate.downgrade(database.engine, "base")
        assert migrate.current_revisions(database.engine) == ()
        tables = set(inspect(database.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        migrate.upgrade(database.engine)
        assert migrate.current_revisions(database.engine) == migrate.head_revisions()
    finally:
        database.dispose()


# Full-text search (migration 0003) is backend-specific and kept out of the models on purpose:
# an FTS5 table and its shadow tables on SQLite, GIN expression indexes on PostgreSQL.
_SEARCH = ("proposal_search", "ix_proposals_search", "ix_comments_search")


def _not_search(name: str | None, type_: str, parent_names: object) -> bool:
    return not (name or "").startswith(_SEARCH)


def test_models_match_the_migrations(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_name": _not_search,
            },
        )
        assert compare_metadata(context, metadata) == []


def test_open_bodies_migration_keeps_bodies_and_the_seats_referring_to_them(
    empty_database_url: str,
) -> None:
    """0008 rebuilds ``bodies`` on SQLite while seats refer to it; nothing is lost."""
    database = Database(empty_database_url)
    at = "2026-01-01 00:00:00+00:00"
    try:
        migrate.upgrade(database.engine, "0006")
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO bodies (id, slug, name, kind, description, created_at) VALUES "
                    "(1, 'toc', 'TOC', 'toc', '', :at), "
                    "(2, 'wg-a', 'WG A', 'working_group', '', :at)"
                ),
                {"at": at},
            )
            connection.execute(
                text(
                    "INSERT INTO people (id, name, email, is_admin, is_auditor, active, "
                    "created_at) VALUES (1, 'A', 'a@example.org', false, false, true, :at)"
                ),
                {"at": at},
            )
            connection.execute(
                text(
                    "INSERT INTO seats (body_id, person_id, role, voting, term_start, "
                    "created_at) VALUES (2, 1, 'chair', true, :at, :at)"
                ),
                {"at": at},
            )
        migrate.upgrade(database.engine)
        with database.engine.begin() as connection:
            rows = connection.execute(text("SELECT id, slug, kind, parent_id FROM bodies"))
            assert sorted(tuple(row) for row in rows) == [
                (1, "toc", "toc", None),
                (2, "wg-a", "working_group", None),
            ]
            # several of a kind, any kind, and a parent
            connection.execute(
                text(
                    "INSERT INTO bodies (id, slug, name, kind, description, created_at, "
                    "parent_id) VALUES (3, 'toc-2', 'TOC 2', 'toc', '', :at, 1), "
                    "(4, 'ethics', 'Ethics', 'council', '', :at, NULL)"
                ),
                {"at": at},
            )
            [(seat_body,)] = connection.execute(text("SELECT body_id FROM seats"))
            assert seat_body == 2
    finally:
        database.dispose()
