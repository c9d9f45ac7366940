"""What runs inside the PROJECT's interpreter: verification (`verify`), adoption (`adopt`),
inspection's questions (`ask_python`), and the boundary both sides share (`protocol`). The
wizard starts a module here with `protocol.command`; the package itself imports nothing, and
its modules only the standard library, alembic, sqlalchemy and each other."""
