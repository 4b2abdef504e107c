"""The release licence and text-rights revision: old releases get neither; downgrade counts and drops them."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text

from annotator.db import migrate
from annotator.db.engine import read_session
from annotator.db.models import Release
from annotator.errors import AnnotatorError
from annotator.releases import create_release

REVISION, BEFORE = "e5b2c8f41a96", "d4e8a1c07b35"


def release_columns(engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("releases")}


def test_upgrade_keeps_old_releases_and_downgrade_refuses_to_drop_rights_unconfirmed(project):
    engine = project.engine
    create_release(engine, "old")
    migrate.downgrade(engine, BEFORE, confirmed=False)  # nothing to lose yet: no licence, no statement
    assert {"license", "text_rights"}.isdisjoint(release_columns(engine))
    migrate.upgrade(engine)
    with read_session(engine) as session:
        assert session.execute(select(Release.tag, Release.license, Release.text_rights)).all() == [("old", None, None)]
    create_release(engine, "new", license="cc-by-4.0", text_rights="Texts (c) their publishers.")
    with pytest.raises(AnnotatorError, match="lose 1 release licence, 1 release text-rights statement"):
        migrate.downgrade(engine, BEFORE, confirmed=False)
    assert migrate.current_revision(engine) == REVISION
    migrate.downgrade(engine, BEFORE, confirmed=True)
    assert {"license", "text_rights"}.isdisjoint(release_columns(engine))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT tag FROM releases ORDER BY id")).scalars().all() == ["old", "new"]
    migrate.upgrade(engine)
    assert {"license", "text_rights"} <= release_columns(engine)
