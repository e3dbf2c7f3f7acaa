"""The example agency client's own tests (Node.js test runner): the client against the golden
samples and the published schemas alone, as an integrator tests before connecting to a broker.
The end-to-end run against the real stack is tests/e2e/test_agency_client.py."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

CLIENT = Path(__file__).resolve().parents[2] / "deploy" / "examples" / "agency-client"


def test_the_agency_client_passes_its_own_tests() -> None:
    node = shutil.which("node")
    if node is None or not (CLIENT / "node_modules" / "kafkajs").is_dir():
        pytest.fail("the agency client is not installed: run `make node-install`")

    result = subprocess.run(
        [node, "--test", "test/"],
        cwd=CLIENT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    counts = dict(re.findall(r"^# (pass|fail) (\d+)$", result.stdout, re.M))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert int(counts["pass"]) >= 9 and counts["fail"] == "0"
