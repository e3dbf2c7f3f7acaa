from __future__ import annotations

from eventkit.runtime import run_service
from invoice_service.bootstrap import definition
from invoice_service.settings import Settings


def main() -> None:
    run_service(definition, Settings)


if __name__ == "__main__":
    main()
