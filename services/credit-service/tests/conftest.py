from eventkit.testing.broker import kafka_broker  # noqa: F401
from eventkit.testing.databases import backend  # noqa: F401
