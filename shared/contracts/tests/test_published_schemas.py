"""The published JSON Schemas and golden samples: current, valid, and only changed compatibly.

Regenerate after changing a contract model: ``uv run python -m contracts.schemas --write``.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from contracts.compat import breaking_changes
from contracts.invoicing import PaymentOverdue
from contracts.money import Amount, Currency
from contracts.registry import PUBLIC_EVENTS, build_registry, topic_of
from contracts.schemas import (
    HEADERS_FILE,
    INDEX_FILE,
    SCHEMA_DIR,
    catalogue,
    check,
    closed,
    payload_schema,
    write,
)
from contracts.upcasters import UPCASTERS
from eventkit.codec import decode
from eventkit.events import DomainEvent

INDEX = json.loads((SCHEMA_DIR / INDEX_FILE).read_text())
HEADERS = json.loads((SCHEMA_DIR / HEADERS_FILE).read_text())
CLASSES = {cls.event_type: cls for cls in PUBLIC_EVENTS}
FORMATS = FormatChecker()


def errors(schema: dict[str, Any], instance: Any) -> list[str]:
    validator = Draft202012Validator(schema, format_checker=FORMATS)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


# --- the committed files are those the code generates ----------------------------------------


def test_committed_contract_files_match_the_code() -> None:
    findings = check()

    assert not findings, "\n".join(map(str, findings))


def test_every_public_event_is_published_at_its_current_version() -> None:
    listed = {(e["type"], e["version"]) for e in INDEX["events"] if e["current"]}

    assert listed == {(cls.event_type, cls.schema_version) for cls in PUBLIC_EVENTS}
    for entry in INDEX["events"]:
        assert (SCHEMA_DIR / entry["schema"]).is_file()
        assert (SCHEMA_DIR / entry["sample"]).is_file()
        assert entry["topic"] == topic_of(entry["type"])


def test_the_schemas_are_valid_json_schema_2020_12() -> None:
    Draft202012Validator.check_schema(HEADERS)
    for entry in INDEX["events"]:
        Draft202012Validator.check_schema(json.loads((SCHEMA_DIR / entry["schema"]).read_text()))


# --- golden samples ----------------------------------------------------------------------------


@pytest.mark.parametrize("entry", INDEX["events"], ids=lambda e: f"{e['type']}.v{e['version']}")
def test_golden_sample_obeys_its_schema_and_decodes(entry: dict[str, Any]) -> None:
    schema = json.loads((SCHEMA_DIR / entry["schema"]).read_text())
    record = json.loads((SCHEMA_DIR / entry["sample"]).read_text())
    headers, value = record["headers"], record["value"]

    assert errors(closed(schema), value) == []
    assert errors(HEADERS, headers) == []
    assert headers["ce_type"] == entry["type"]
    assert headers["ce_schemaversion"] == str(entry["version"])
    assert headers["ce_source"] == f"urn:creditmgmt:{entry['producer']}"
    assert record["topic"] == entry["topic"] and record["key"] == headers["ce_partitionkey"]
    # What a service does with the record: decode the envelope, upcast, validate.
    envelope = decode([(k, v.encode()) for k, v in headers.items()], json.dumps(value).encode())
    event = envelope.decode(build_registry())
    assert type(event) is CLASSES[entry["type"]]
    if entry["current"]:
        assert event.to_payload() == value, "the sample does not survive a round trip"


def test_a_sample_with_a_wrong_value_is_caught() -> None:
    schema = json.loads((SCHEMA_DIR / "invoicing.InvoiceIssued/v1.schema.json").read_text())
    record = json.loads((SCHEMA_DIR / "invoicing.InvoiceIssued/v1.sample.json").read_text())

    as_number = {**record["value"], "amount_due": 1210}
    three_decimals = {**record["value"], "amount_due": "1210.000"}
    undeclared = {**record["value"], "discount_code": "X"}
    missing = {k: v for k, v in record["value"].items() if k != "due_date"}
    bad_date = {**record["value"], "due_date": "04/02/2026"}

    assert errors(schema, as_number) and errors(schema, three_decimals)
    assert errors(schema, missing) and errors(schema, bad_date)
    assert not errors(schema, undeclared), "published schemas tolerate unknown fields"
    assert errors(closed(schema), undeclared), "our own checks do not"
    assert errors(HEADERS, {**record["headers"], "ce_id": "not-a-uuid"})


# --- compatibility within a schema version ---------------------------------------------------


class OverdueAmountAsNumber(PaymentOverdue):
    """invoicing.PaymentOverdue with ``open_amount`` retyped, schema_version unchanged."""

    open_amount: float  # type: ignore[assignment]


def published(event_type: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / f"{event_type}/v1.schema.json").read_text())


def test_retyping_a_field_without_a_new_schema_version_fails(tmp_path: Path) -> None:
    committed = tmp_path / "schemas"
    shutil.copytree(SCHEMA_DIR, committed)
    before = (committed / "invoicing.PaymentOverdue/v1.schema.json").read_text()

    findings = check((OverdueAmountAsNumber,), committed, tmp_path / "asyncapi.json")
    refused = write((OverdueAmountAsNumber,), committed, tmp_path / "asyncapi.json")

    breaking = [f for f in findings if f.kind == "breaking"]
    assert {f.subject for f in breaking} == {"invoicing.PaymentOverdue v1"}
    assert any("open_amount: type 'string' became 'number'" in f.detail for f in breaking)
    assert all("raise schema_version to 2" in f.detail for f in breaking)
    assert "breaking" in {f.kind for f in refused}
    assert (committed / "invoicing.PaymentOverdue/v1.schema.json").read_text() == before
    assert not (tmp_path / "asyncapi.json").exists()


class OverdueWithScheme(PaymentOverdue):
    reference_scheme: Literal["ogm", "rf", "nl"] | None = None


class OverdueWithRequiredScheme(PaymentOverdue):
    reference_scheme: str


class OverdueNullableRef(PaymentOverdue):
    debtor_ref: str | None  # type: ignore[assignment]


def without(schema: dict[str, Any], field: str) -> dict[str, Any]:
    properties = {k: v for k, v in schema["properties"].items() if k != field}
    required = [name for name in schema["required"] if name != field]
    return {**schema, "properties": properties, "required": required}


def test_an_optional_field_can_be_added_within_a_version() -> None:
    assert (
        breaking_changes(published("invoicing.PaymentOverdue"), payload_schema(OverdueWithScheme))
        == []
    )


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        (OverdueWithRequiredScheme, "reference_scheme: new required field"),
        (OverdueNullableRef, "debtor_ref: type 'string' became None"),
    ],
)
def test_breaking_changes_are_named(model: type[DomainEvent], reason: str) -> None:
    problems = breaking_changes(published("invoicing.PaymentOverdue"), payload_schema(model))

    assert any(reason in p for p in problems), problems


def test_removing_a_field_is_breaking() -> None:
    old = published("invoicing.PaymentOverdue")

    assert breaking_changes(old, without(old, "currency")) == ["currency: field removed"]


def test_enum_and_nested_model_changes_are_breaking() -> None:
    old = published("invoicing.PaymentAllocated")
    new_method = json.loads(json.dumps(old))
    new_method["properties"]["method"]["enum"].append("direct_debit")
    old_issued = published("invoicing.InvoiceIssued")
    new_line = json.loads(json.dumps(old_issued))
    new_line["$defs"]["InvoiceLine"]["properties"]["quantity"] = {"type": "number"}

    assert breaking_changes(old, new_method) == ["method: enum values added ['direct_debit']"]
    assert "lines[].quantity: type 'string' became 'number'" in breaking_changes(
        old_issued, new_line
    )


class OverdueV2(DomainEvent):
    """A real version step: ``open_amount`` renamed to ``amount_open``."""

    event_type = "invoicing.PaymentOverdue"
    schema_version = 2
    invoice_number: str
    debtor_ref: str
    due_date: date
    overdue_since: date
    amount_open: Amount
    currency: Currency


def test_a_new_schema_version_needs_an_upcaster_and_keeps_the_old_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed = tmp_path / "schemas"
    shutil.copytree(SCHEMA_DIR, committed)
    asyncapi_file = tmp_path / "asyncapi.json"

    without = {f.kind for f in check((OverdueV2,), committed, asyncapi_file)}

    def v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
        rest = {k: v for k, v in payload.items() if k != "open_amount"}
        return {**rest, "amount_open": payload["open_amount"]}

    monkeypatch.setitem(UPCASTERS, ("invoicing.PaymentOverdue", 1), v1_to_v2)
    with_upcaster = {f.kind for f in check((OverdueV2,), committed, asyncapi_file)}

    assert "no-upcaster" in without and "breaking" not in without
    assert "no-upcaster" not in with_upcaster
    entries = catalogue((OverdueV2,), committed)
    assert [(e.version, e.current) for e in entries] == [(1, False), (2, True)]
    frozen = json.loads((committed / "invoicing.PaymentOverdue/v1.sample.json").read_text())
    assert entries[0].sample == frozen
    assert OverdueV2.model_validate(v1_to_v2(frozen["value"])).amount_open > 0
