"""A small async blog backend."""
