from __future__ import annotations

from eventkit.runtime import run_service
from notification_service.bootstrap import definition
from notification_service.settings import Settings


def main() -> None:
    run_service(definition, Settings)


if __name__ == "__main__":
    main()
