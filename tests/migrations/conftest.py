from eventkit.testing.databases import backend  # noqa: F401 - pytest fixture, used by name
