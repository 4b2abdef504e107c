"""Alembic environment: runs migrations on the connection annotator hands over.

`annotator.db.migrate` passes an open connection in `config.attributes["connection"]`; run by
hand (`alembic -c alembic.ini ...`) it connects to `$ANNOTATOR_DATABASE_URL` or `annotator.db`.
"""

from alembic import context

from annotator.db.engine import make_engine, resolve_url
from annotator.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection) -> None:
    """Configure the context on `connection` and run the migrations in one transaction."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = make_engine(resolve_url(None))
    with engine.connect() as own_connection:
        run_migrations(own_connection)
        own_connection.commit()
