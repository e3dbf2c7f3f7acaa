"""deploy/asyncapi.json as the official AsyncAPI parser (``@asyncapi/parser`` 3.x, pinned in
tools/asyncapi-validate/package-lock.json; ``make node-install`` installs it) loads it."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from contracts.registry import topic_of
from contracts.schemas import ASYNCAPI_FILE, REPO_ROOT, catalogue, headers_schema
from contracts.topics import EVENT_TOPICS

VALIDATOR = REPO_ROOT / "tools" / "asyncapi-validate"


def parse(path: Path) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not (VALIDATOR / "node_modules" / "@asyncapi" / "parser").is_dir():
        pytest.fail("the AsyncAPI parser is not installed: run `make node-install`")
    result = subprocess.run(
        [node, "validate.mjs", str(path)],
        cwd=VALIDATOR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


@cache
def committed_report() -> dict[str, Any]:
    return parse(ASYNCAPI_FILE)


def test_the_official_parser_reports_no_error_and_no_warning() -> None:
    report = committed_report()

    problems = [d for d in report["diagnostics"] if d["severity"] in ("Error", "Warning")]
    assert report["parsed"] and report["version"] == "3.0.0"
    assert (report["errors"], report["warnings"]) == (0, 0), problems


def test_one_message_per_event_type_and_version_on_its_topic() -> None:
    report = committed_report()
    entries = catalogue()

    seen = {(m["name"], m["id"], m["channel"]) for m in report["messageDetails"]}
    expected = {
        (e.event_type, f"{e.event_type}.v{e.version}", topic_of(e.event_type)) for e in entries
    }
    assert seen == expected
    assert report["channels"] == len(EVENT_TOPICS)
    partitions = {spec.name: spec.partitions for spec in EVENT_TOPICS}
    for message in report["messageDetails"]:
        assert message["partitions"] == partitions[message["channel"]]


def test_payloads_resolve_and_every_message_carries_the_cloudevents_trait() -> None:
    required = set(headers_schema()["required"])

    for message in committed_report()["messageDetails"]:
        assert not message["unresolvedRefs"], message["id"]
        assert message["payloadType"] == "object" and message["payloadProperties"] > 0
        assert required <= set(message["headers"]), message["id"]
        assert message["correlationId"] == "$message.header#/ce_correlationid"
        assert message["kafkaKey"] == "string"


def test_the_parser_catches_a_reference_to_pydantic_defs(tmp_path: Path) -> None:
    # The document as it used to be generated: nested models referenced as '#/$defs/...'.
    document = json.loads(ASYNCAPI_FILE.read_text())
    broken = copy.deepcopy(document)
    payload = broken["components"]["schemas"]["invoicing.InvoiceIssued.v1"]
    payload["properties"]["lines"]["items"] = {"$ref": "#/$defs/InvoiceLine"}
    path = tmp_path / "asyncapi.json"
    path.write_text(json.dumps(broken))

    report = parse(path)

    assert report["errors"] == 1
    assert "'#/$defs/InvoiceLine' does not exist" in report["diagnostics"][-1]["message"]
