"""The ops console against the real stack: the four services as processes with the broker, the
console built from its lockfile and served as ``make run`` serves it, the demo book loaded
through the public APIs and the clock moved 40 days.

The browser journeys live in ``tests/browser/journeys.test.mjs`` (Debian's Chromium driven by
playwright-core; node's test runner); this module starts what they need, runs them, and checks
the HTTP side on its own: the CORS policy of every service and the console's static server.
Screenshots land in ``services/ops-console/test-results/screenshots`` (or $SCREENSHOT_DIR).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devstack.console import ensure_console_built
from devstack.demo import DEMO_START, load_demo
from devstack.stack import SERVICES, Stack, StackOptions
from eventkit.localbroker import free_port
from eventkit.settings import DEV_API_KEY

CONSOLE_DIR = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AUTH = {"Authorization": f"Bearer {DEV_API_KEY}"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    options = StackOptions(
        data_dir=tmp_path_factory.mktemp("console-stack"),
        ports={spec.name: free_port() for spec in SERVICES},
        clock_mode="simulated",
        simulated_start=DEMO_START,
        console=True,
        console_port=0,
        console_dir=CONSOLE_DIR,
    )
    with Stack(options) as running:
        load_demo({name: svc.url for name, svc in running.services.items()})
        yield running


def test_every_service_allows_the_console_origin_and_no_other(stack: Stack) -> None:
    assert stack.console is not None
    console = stack.console.origin
    with httpx.Client(timeout=10) as client:
        for spec in SERVICES:
            url = stack.url(spec.name) + "/v1/admin/status"
            preflight = {
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            }
            ok = client.options(url, headers={"Origin": console, **preflight})
            assert ok.status_code == 200, ok.text
            assert ok.headers["access-control-allow-origin"] == console
            assert "authorization" in ok.headers["access-control-allow-headers"].lower()
            for foreign in (
                "http://127.0.0.1:1",
                "http://localhost:" + str(stack.console.port),
                "https://" + console.removeprefix("http://"),
                "null",
            ):
                refused = client.options(url, headers={"Origin": foreign, **preflight})
                assert refused.status_code == 400, (spec.name, foreign)
                assert "access-control-allow-origin" not in refused.headers
                answered = client.get(url, headers={"Origin": foreign, **AUTH})
                assert "access-control-allow-origin" not in answered.headers
            # a problem answer to the console carries the header too, so the page can read it
            problem = client.get(
                stack.url(spec.name) + "/v1/admin/status", headers={"Origin": console}
            )
            assert problem.status_code == 401
            assert problem.headers["access-control-allow-origin"] == console


def test_console_server_serves_the_app_its_config_and_nothing_else(stack: Stack) -> None:
    assert stack.console is not None
    base = stack.console.url
    with httpx.Client(timeout=10) as client:
        config = client.get(base + "/config.json")
        assert config.status_code == 200
        assert config.json() == {
            "services": {spec.short: stack.url(spec.name) for spec in SERVICES},
            "environment": "development",
            "clock": "simulated",
            "apiKey": DEV_API_KEY,
        }
        assert config.headers["cache-control"] == "no-store"
        page = client.get(base + "/#/worklist")
        assert page.status_code == 200 and '<div id="root">' in page.text
        csp = page.headers["content-security-policy"]
        for spec in SERVICES:
            assert stack.url(spec.name) in csp
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        # client-side routes get the page; files that do not exist and escapes get 404
        assert client.get(base + "/debtors/D-1001").text == page.text
        assert client.get(base + "/missing.js").status_code == 404
        for escape in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc/hosts"):
            answer = client.get(base + escape)
            assert "root:" not in answer.text and "localhost" not in answer.text
        assert client.get(base + "/.source-sha256").status_code == 404
        assets = [a for a in (CONSOLE_DIR / "dist" / "assets").iterdir() if a.suffix == ".js"]
        asset = client.get(f"{base}/assets/{assets[0].name}")
        assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
        # the services allow one exact origin: localhost is sent there
        moved = client.get(f"http://localhost:{stack.console.port}/#/kpis")
        assert moved.status_code == 307
        assert moved.headers["location"].startswith(base)


def test_a_second_build_with_nothing_changed_does_nothing(stack: Stack) -> None:
    outcome = ensure_console_built(CONSOLE_DIR)
    assert not outcome.installed and not outcome.built


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is needed")
def test_browser_journeys(stack: Stack) -> None:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `make browsers` (apt chromium)"
    assert stack.console is not None
    shots = Path(
        os.environ.get("SCREENSHOT_DIR", CONSOLE_DIR / "test-results" / "screenshots")
    ).resolve()
    shutil.rmtree(shots, ignore_errors=True)
    env = {
        **os.environ,
        "CONSOLE_URL": stack.console.url,
        "SERVICES": json.dumps({name: svc.url for name, svc in stack.services.items()}),
        "API_KEY": DEV_API_KEY,
        "SCREENSHOT_DIR": str(shots),
        "CHROMIUM": CHROMIUM,
    }
    completed = subprocess.run(
        ["node", "--test", "--test-reporter=spec", "tests/browser/"],
        cwd=CONSOLE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=420,
        check=False,
    )
    output = completed.stdout + completed.stderr
    print(output)  # noqa: T201 - the journeys' own report, shown with -s or on failure
    assert completed.returncode == 0, output[-6000:]
    assert re.search(r"^(ℹ|#) fail 0$", output, re.M), "the journeys report failures"
    assert re.search(r"^(ℹ|#) pass ([1-9]\d*)$", output, re.M), "no journey ran"
    taken = sorted(p.name for p in shots.glob("*.png"))
    assert len(taken) >= 20, taken
