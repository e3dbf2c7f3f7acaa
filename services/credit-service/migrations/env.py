from credit_service.projections.tables import metadata
from eventkit.migrations import run_env

run_env(metadata)
