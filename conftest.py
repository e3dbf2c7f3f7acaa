"""Test-harness hook: what every end-to-end stack published must obey the committed contract.

Whenever a fixture yields a running :class:`devstack.stack.Stack` (the e2e suites of
``tests/e2e`` and of the services), every record on its event topics is read and checked against
``shared/contracts/schemas`` before the stack stops (``devstack.conformance``). A record that
breaks the contract fails the fixture's teardown with the reasons; the terminal summary says how
many events of how many types were checked. ``CONTRACT_REPORT=<file>`` also writes the figures as
JSON.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from devstack.conformance import MAX_PROBLEMS_SHOWN, ContractReport, check_broker
from devstack.stack import Stack

REPORT = pytest.StashKey[ContractReport]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[REPORT] = ContractReport()


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
) -> Generator[None, Any, Any]:
    value = yield
    if isinstance(value, Stack):
        # Finalizers run last-in first-out: this one runs before the fixture stops the stack.
        request.addfinalizer(lambda: _check_published(request.config, value))
    return value


def _check_published(config: pytest.Config, stack: Stack) -> None:
    if not stack.broker.running:
        pytest.fail("the stack's broker stopped before its events could be checked")
    report = check_broker(stack.broker.bootstrap_servers)
    config.stash[REPORT].merge(report)
    if report.problems:
        shown = "\n".join(report.problems[:MAX_PROBLEMS_SHOWN])
        more = len(report.problems) - MAX_PROBLEMS_SHOWN
        pytest.fail(
            f"published events break the committed contract ({report.summary()}):\n{shown}"
            + (f"\n... and {more} more" if more > 0 else ""),
            pytrace=False,
        )


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    report = config.stash.get(REPORT, None)
    if report is None or not report.stacks:
        return
    terminalreporter.write_sep("-", "published events vs committed contract")
    terminalreporter.write_line(report.summary())
    terminalreporter.write_line(
        ", ".join(f"{name} {count}" for name, count in sorted(report.events.items()))
    )
    target = os.environ.get("CONTRACT_REPORT")
    if target:
        Path(target).write_text(json.dumps(report.as_json(), indent=2) + "\n")
