from __future__ import annotations

from credit_service.bootstrap import definition
from credit_service.settings import Settings
from eventkit.runtime import run_service


def main() -> None:
    run_service(definition, Settings)


if __name__ == "__main__":
    main()
