from eventkit.migrations import run_env
from notification_service.projections.tables import metadata

run_env(metadata)
