from alembic import context

from lexpert.expertise.db.models import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:  # `alembic -x url=...` from the command line
    from lexpert.expertise.db.session import get_engine

    url = context.get_x_argument(as_dictionary=True).get("url")
    connection = get_engine(url).connect()

context.configure(connection=connection, target_metadata=target_metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
