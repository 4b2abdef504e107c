"""The `articles.source_gaps` revision: existing articles get an empty list; downgrade drops it."""

from __future__ import annotations

from sqlalchemy import inspect, select, text

from annotator.db import migrate
from annotator.db.engine import make_engine, read_session
from annotator.db.models import Article
from annotator.importing.importer import import_paths

BEFORE = "1f79b923c7d1"


def test_upgrade_gives_existing_articles_no_gaps_and_downgrade_keeps_them(db_url, tmp_path):
    engine = make_engine(db_url)
    migrate.upgrade(engine, BEFORE)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO articles (sha256, text, meta, imported_at) "
                "VALUES ('abc', 'Old text', '{}', '2026-01-01 00:00:00+00:00')"
            )
        )
    migrate.upgrade(engine)
    with read_session(engine) as session:
        assert session.execute(select(Article.text, Article.source_gaps)).all() == [("Old text", [])]
    (tmp_path / "new.txt").write_bytes("\ufeffTitle\r\n\r\nBody text.\r\n".encode())
    assert import_paths(engine, [tmp_path / "new.txt"]).ok
    with read_session(engine) as session:
        gaps = session.scalar(select(Article.source_gaps).where(Article.external_id == "new"))
    assert gaps == [0, 6, 8, 20]

    migrate.downgrade(engine, BEFORE, confirmed=True)
    assert "source_gaps" not in {column["name"] for column in inspect(engine).get_columns("articles")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM articles")).scalar() == 2
        assert connection.execute(text("SELECT count(*) FROM passages")).scalar() == 2
    migrate.upgrade(engine)
    with read_session(engine) as session:
        assert sorted(session.scalars(select(Article.source_gaps))) == [[], []]
    engine.dispose()
