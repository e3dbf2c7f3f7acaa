from eventkit.testing.broker import kafka_broker  # noqa: F401 - pytest fixture, used by name
from eventkit.testing.databases import backend  # noqa: F401 - pytest fixture, used by name
