// The client tested the way an integrator would, without our stack: against the golden samples
// and the JSON Schemas published in shared/contracts/schemas.
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { AgencyApi, ApiError } from "../src/agency-api.mjs";
import { decodeRecord, UndecodableRecord } from "../src/cloudevents.mjs";
import { Contract, DEFAULT_SCHEMA_DIR } from "../src/contract.mjs";
import { CaseStore, HANDOVER, handleRecord } from "../src/handover.mjs";

async function sample(type, version = 1) {
  return JSON.parse(await readFile(path.join(DEFAULT_SCHEMA_DIR, type, `v${version}.sample.json`), "utf8"));
}

/** A golden sample as kafkajs delivers it: Buffers for key, headers and value. */
function asKafka(record, change = {}) {
  const headers = { ...record.headers, ...(change.headers ?? {}) };
  const value = change.value ?? record.value;
  return {
    topic: record.topic,
    partition: 0,
    offset: "7",
    key: Buffer.from(record.key),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
    value: Buffer.from(JSON.stringify(value)),
  };
}

class FakeApi {
  constructor({ fail } = {}) {
    this.calls = [];
    this.fail = fail;
  }
  async caseFile(debtorRef) {
    this.calls.push(["case", debtorRef]);
    if (this.fail) throw this.fail;
    return { debtor_ref: debtorRef, status: "with_agency", agency: "incasso-noord", items: [] };
  }
  async reportStatus(debtorRef, report, key) {
    this.calls.push(["status", debtorRef, report.status, key]);
    return { status: 201, replayed: false, body: { status: report.status } };
  }
}

describe("hand-overs from dunning.case.events", () => {
  let contract, handover, dir;
  before(async () => {
    contract = await Contract.load(DEFAULT_SCHEMA_DIR, [HANDOVER]);
    handover = await sample(HANDOVER);
    dir = await mkdtemp(path.join(tmpdir(), "agency-client-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const deps = (api) => ({ agency: "incasso-noord", tenant: "acme", contract, api, store: new CaseStore(dir) });

  test("the golden sample decodes as a CloudEvent", () => {
    const event = decodeRecord(asKafka(handover));
    assert.equal(event.type, HANDOVER);
    assert.equal(event.schemaVersion, 1);
    assert.equal(event.tenant, "acme");
    assert.equal(event.partitionKey, "acme:D-1001");
    assert.equal(event.data.totals[0].total, "1054.38");
    assert.deepEqual(contract.problems(HANDOVER, 1, event.data), []);
  });

  test("a hand-over to this agency is fetched, kept and confirmed once per event", async () => {
    const api = new FakeApi();
    const outcome = await handleRecord(asKafka(handover), deps(api));
    assert.equal(outcome.action, "received");
    assert.equal(outcome.debtor_ref, "D-1001");
    assert.deepEqual(outcome.items, ["INV-2026-0001"]);
    const id = handover.headers.ce_id;
    assert.deepEqual(api.calls, [["case", "D-1001"], ["status", "D-1001", "received", `received:${id}`]]);
    const kept = JSON.parse(await readFile(outcome.file, "utf8"));
    assert.equal(kept.escalation_id, id);
    assert.equal(kept.case_file.status, "with_agency");
  });

  test("a hand-over to another agency, another tenant or another event type is ignored", async () => {
    const api = new FakeApi();
    const other = { ...handover.value, agency: "other-agency" };
    const reminder = await sample("dunning.ReminderDue");
    for (const record of [
      asKafka(handover, { value: other }),
      asKafka(handover, { headers: { ce_tenant: "globex" } }),
      asKafka(reminder),
    ]) {
      assert.equal((await handleRecord(record, deps(api))).action, "ignored");
    }
    assert.deepEqual(api.calls, []);
  });

  test("a newer schema version is parked for a person, not guessed at", async () => {
    const api = new FakeApi();
    const outcome = await handleRecord(asKafka(handover, { headers: { ce_schemaversion: "2" } }), deps(api));
    assert.equal(outcome.action, "parked");
    assert.deepEqual(api.calls, []);
    assert.ok((await readdir(path.join(dir, "unsupported"))).length >= 1);
  });

  test("a payload that breaks the published schema is rejected with the reasons", async () => {
    const api = new FakeApi();
    const broken = { ...handover.value, totals: [{ ...handover.value.totals[0], total: 1054.38 }] };
    const outcome = await handleRecord(asKafka(handover, { value: broken }), deps(api));
    assert.equal(outcome.action, "rejected");
    assert.match(outcome.reason, /totals\/0\/total must be string/);
    assert.deepEqual(api.calls, []);
  });

  test("unknown optional fields are tolerated (they may be added within a version)", async () => {
    const api = new FakeApi();
    const extended = { ...handover.value, agency_reference: "X-1" };
    assert.equal((await handleRecord(asKafka(handover, { value: extended }), deps(api))).action, "received");
  });

  test("a case recalled since the hand-over is skipped; an unreachable API is retried", async () => {
    const gone = new FakeApi({ fail: new ApiError(409, { detail: "not with an agency" }, "x") });
    assert.equal((await handleRecord(asKafka(handover), deps(gone))).action, "ignored");
    const down = new FakeApi({ fail: new TypeError("fetch failed") });
    await assert.rejects(handleRecord(asKafka(handover), deps(down)), /fetch failed/);
  });

  test("records that are not CloudEvents are refused by the decoder", () => {
    const record = asKafka(handover);
    delete record.headers.ce_type;
    assert.throws(() => decodeRecord(record), UndecodableRecord);
    assert.throws(() => decodeRecord({ ...asKafka(handover), value: Buffer.from("[1]") }), UndecodableRecord);
  });
});

describe("the agency API client", () => {
  test("reports carry the key and an Idempotency-Key; 5xx is retried, 4xx is not", async () => {
    const seen = [];
    const answers = [
      new Response("", { status: 503 }),
      new Response(JSON.stringify({ update_id: "u1" }), { status: 201 }),
      new Response(JSON.stringify({ title: "Invalid request", detail: "amount: must be positive" }), {
        status: 422,
        headers: { "content-type": "application/problem+json" },
      }),
    ];
    const api = new AgencyApi({
      baseUrl: "http://dunning.example/",
      apiKey: "k",
      backoffMs: 1,
      fetchImpl: async (url, init) => {
        seen.push([url, init.headers["idempotency-key"], init.headers.authorization]);
        return answers.shift();
      },
    });
    const ok = await api.reportPayment("D 1/2", { amount: "10.00", currency: "EUR", received_on: "2026-04-02" }, "payment:R1");
    assert.equal(ok.status, 201);
    await assert.rejects(
      api.reportPayment("D 1/2", { amount: "0", currency: "EUR", received_on: "2026-04-02" }, "payment:R2"),
      (error) => error.status === 422 && /must be positive/.test(error.message),
    );
    assert.deepEqual(seen, [
      ["http://dunning.example/v1/agency/cases/D%201%2F2/payments", "payment:R1", "Bearer k"],
      ["http://dunning.example/v1/agency/cases/D%201%2F2/payments", "payment:R1", "Bearer k"],
      ["http://dunning.example/v1/agency/cases/D%201%2F2/payments", "payment:R2", "Bearer k"],
    ]);
  });
});
