"""``python -m bench [NAME ...] [--quick]``: run the named benchmarks (default: all)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from bench import credit_decisions, dunning_sweep, intake, notification_render

BENCHMARKS: dict[str, Callable[[bool], object]] = {
    "intake": intake.main,
    "dunning_sweep": lambda quick: dunning_sweep.main(quick=quick),
    "notification_render": lambda quick: notification_render.main(["--quick"] if quick else []),
    "credit_decisions": credit_decisions.main,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run ({', '.join(BENCHMARKS)})"
    )
    parser.add_argument("--quick", action="store_true", help="small run to check the harness")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name in BENCHMARKS:
            print(name)
        return 0
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    for name in args.names or list(BENCHMARKS):
        print(f"== bench {name}{' (quick)' if args.quick else ''}", flush=True)
        BENCHMARKS[name](args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
