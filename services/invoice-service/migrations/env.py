from eventkit.migrations import run_env
from invoice_service.projections.tables import metadata

run_env(metadata)
