"""Repositories, migrations and use cases over a real database (SQLite; PostgreSQL too when
configured)."""
