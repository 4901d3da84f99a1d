"""Persistence: the schema, database sessions, migrations and the queries on them."""
