#!/usr/bin/env node
// Example collection-agency client for the credit-management backend.
//
//   agency-client listen          receive hand-overs, fetch case files, confirm receipt
//   agency-client case            print a handed-over case file
//   agency-client report-status   report progress (in_progress, closed_paid, returned, ...)
//   agency-client report-payment  report money collected from the debtor
//
// Settings come from flags or the environment: KAFKA_BROKERS, DUNNING_API_URL, AGENCY_API_KEY,
// AGENCY_NAME, TENANT, CASES_DIR, CONTRACT_SCHEMAS. Each outcome is one JSON line on stdout.
import { parseArgs } from "node:util";
import { AgencyApi } from "./agency-api.mjs";
import { Contract, DEFAULT_SCHEMA_DIR } from "./contract.mjs";
import { CaseStore, HANDOVER } from "./handover.mjs";
import { listen } from "./listener.mjs";

const OPTIONS = {
  brokers: { type: "string", default: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092" },
  api: { type: "string", default: process.env.DUNNING_API_URL ?? "http://127.0.0.1:8002" },
  key: { type: "string", default: process.env.AGENCY_API_KEY },
  agency: { type: "string", default: process.env.AGENCY_NAME },
  tenant: { type: "string", default: process.env.TENANT },
  cases: { type: "string", default: process.env.CASES_DIR ?? "./cases" },
  schemas: { type: "string", default: process.env.CONTRACT_SCHEMAS ?? DEFAULT_SCHEMA_DIR },
  group: { type: "string" },
  "session-timeout-ms": { type: "string", default: "10000" },
  "exit-after": { type: "string", default: "0" },
  "latest-only": { type: "boolean", default: false },
  debtor: { type: "string" },
  status: { type: "string" },
  note: { type: "string", default: "" },
  amount: { type: "string" },
  currency: { type: "string", default: "EUR" },
  "received-on": { type: "string" },
  invoice: { type: "string" },
  reference: { type: "string" },
  "idempotency-key": { type: "string" },
};

function need(values, ...names) {
  const missing = names.filter((name) => !values[name]);
  if (missing.length > 0) {
    throw new UsageError(`missing --${missing.join(", --")}`);
  }
}

class UsageError extends Error {}

function print(value) {
  process.stdout.write(JSON.stringify(value) + "\n");
}

async function main(argv) {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const command = positionals[0];
  need(values, "key");
  const api = new AgencyApi({ baseUrl: values.api, apiKey: values.key });

  if (command === "listen") {
    need(values, "agency", "tenant");
    const deps = {
      agency: values.agency,
      tenant: values.tenant,
      api,
      contract: await Contract.load(values.schemas, [HANDOVER]),
      store: new CaseStore(values.cases),
    };
    const { stop, done } = await listen({
      brokers: values.brokers.split(","),
      groupId: values.group ?? `agency.${values.agency}`,
      sessionTimeoutMs: Number(values["session-timeout-ms"]),
      fromBeginning: !values["latest-only"],
      exitAfter: Number(values["exit-after"]),
      deps,
    });
    for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => stop());
    print({ action: "listening", group: values.group ?? `agency.${values.agency}` });
    await done;
    return 0;
  }
  if (command === "case") {
    need(values, "debtor");
    print(await api.caseFile(values.debtor));
    return 0;
  }
  if (command === "report-status") {
    need(values, "debtor", "status");
    const day = new Date().toISOString().slice(0, 10);
    const key = values["idempotency-key"] ?? `status:${values.debtor}:${values.status}:${day}`;
    const result = await api.reportStatus(values.debtor, { status: values.status, note: values.note }, key);
    print({ action: "status_reported", replayed: result.replayed, ...result.body });
    return 0;
  }
  if (command === "report-payment") {
    // The agency's own reference of the collected payment makes the report idempotent.
    need(values, "debtor", "amount", "received-on", "reference");
    if (!/^[0-9]+(\.[0-9]{1,2})?$/.test(values.amount)) {
      throw new UsageError("--amount is a decimal with at most two decimals, e.g. 1054.38");
    }
    const payment = {
      amount: values.amount,
      currency: values.currency,
      received_on: values["received-on"],
      reference: values.reference,
      ...(values.invoice ? { invoice_number: values.invoice } : {}),
    };
    const key = values["idempotency-key"] ?? `payment:${values.reference}`;
    const result = await api.reportPayment(values.debtor, payment, key);
    print({ action: "payment_reported", replayed: result.replayed, ...result.body });
    return 0;
  }
  throw new UsageError(`unknown command ${command ?? "(none)"}: listen | case | report-status | report-payment`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`agency-client: ${error.message}\n`);
    if (error.problem) process.stderr.write(`${JSON.stringify(error.problem)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
