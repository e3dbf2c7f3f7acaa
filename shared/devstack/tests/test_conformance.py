"""The published-events check the end-to-end suite runs on every stack: it reads everything back
from a real broker and names every way a record can break the contract."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from contracts.schemas import INDEX_FILE, SCHEMA_DIR
from contracts.topics import all_topics
from devstack.conformance import ContractCheck, read_topics
from eventkit.kafka import KafkaPublisher
from eventkit.localbroker import LocalBroker

INDEX = json.loads((SCHEMA_DIR / INDEX_FILE).read_text())


def golden_samples() -> list[dict[str, Any]]:
    return [json.loads((SCHEMA_DIR / e["sample"]).read_text()) for e in INDEX["events"]]


def broken_records() -> dict[str, dict[str, Any]]:
    """A golden sample spoilt in each way a service could spoil it, with the reason expected."""
    issued = json.loads((SCHEMA_DIR / "invoicing.InvoiceIssued/v1.sample.json").read_text())
    overdue = json.loads((SCHEMA_DIR / "invoicing.PaymentOverdue/v1.sample.json").read_text())
    clock = json.loads((SCHEMA_DIR / "system.ClockAdvanced/v1.sample.json").read_text())

    def spoil(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
        out = json.loads(json.dumps(record))
        out["value"].update(changes.pop("value", {}))
        out["headers"].update(changes.pop("headers", {}))
        out.update(changes)
        return out

    return {
        "value amount_due: 1210 is not of type 'string'": spoil(issued, value={"amount_due": 1210}),
        "Additional properties are not allowed ('discount_code' was unexpected)": spoil(
            issued, value={"discount_code": "X"}
        ),
        "no committed schema for invoicing.PaymentOverdue v2": spoil(
            overdue, headers={"ce_schemaversion": "2"}
        ),
        "published on invoicing.payment.events, the contract says invoicing.invoice.events": spoil(
            overdue, topic="invoicing.payment.events"
        ),
        "ce_source 'urn:creditmgmt:dunning-service', expected 'urn:creditmgmt:invoice-service'": (
            spoil(overdue, headers={"ce_source": "urn:creditmgmt:dunning-service"})
        ),
        "record key 'acme:D-9' differs from ce_partitionkey": spoil(overdue, key="acme:D-9"),
        "ce_source 'urn:creditmgmt:ops-console', expected 'urn:creditmgmt:credit-service' or": (
            spoil(clock, headers={"ce_source": "urn:creditmgmt:ops-console"})
        ),
        "header ce_time: 'yesterday' is not a 'date-time'": spoil(
            overdue, headers={"ce_time": "yesterday"}
        ),
    }


@pytest.fixture(scope="module")
def broker() -> Iterator[LocalBroker]:
    with LocalBroker() as running:
        running.create_topics(all_topics())
        yield running


async def publish(bootstrap: str, records: list[dict[str, Any]]) -> None:
    publisher = KafkaPublisher(bootstrap, client_id="conformance-test", idempotence=False)
    try:
        for record in records:
            await publisher.send_and_wait(
                record["topic"],
                key=record["key"],
                value=json.dumps(record["value"]).encode(),
                headers=[(k, v.encode()) for k, v in record["headers"].items()],
            )
    finally:
        await publisher.stop()


async def test_every_record_is_read_back_and_every_breach_is_named(broker: LocalBroker) -> None:
    samples, broken = golden_samples(), broken_records()
    # Simulated time may be moved by any service's admin endpoint, not only by devstack.
    clock = next(s for s in samples if s["headers"]["ce_type"] == "system.ClockAdvanced")
    by_service = json.loads(json.dumps(clock))
    by_service["headers"]["ce_source"] = "urn:creditmgmt:invoice-service"
    samples.append(by_service)
    await publish(broker.bootstrap_servers, samples + list(broken.values()))

    records = await read_topics(broker.bootstrap_servers, all_topics())
    report = ContractCheck().run(records)

    assert len(records) == len(samples) + len(broken)
    assert report.checked == len(records) and report.dead_letters == 0
    assert len(report.events) == len(INDEX["events"])
    for reason in broken:
        assert sum(reason in problem for problem in report.problems) == 1, (reason, report.problems)
    assert len(report.problems) == len(broken), report.problems
