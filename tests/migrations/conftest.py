from eventkit.testing.databases import backend  # noqa: F401
