// What the agency does with one record of dunning.case.events: pick up the hand-overs meant for
// it, fetch the case file, keep it, and confirm receipt. Kept free of Kafka so it can be tested
// with the golden samples alone.
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { decodeRecord, UndecodableRecord } from "./cloudevents.mjs";

export const HANDOVER = "dunning.DebtorEscalatedToCollection";

/** Where received files go: one JSON file per tenant and debtor (the agency's own system). */
export class CaseStore {
  constructor(dir) {
    this.dir = dir;
  }

  fileOf(tenant, debtorRef) {
    return path.join(this.dir, encodeURIComponent(tenant), `${encodeURIComponent(debtorRef)}.json`);
  }

  async save(tenant, debtorRef, document) {
    const target = this.fileOf(tenant, debtorRef);
    await mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(document, null, 2) + "\n");
    await rename(temporary, target); // readers never see half a file
    return target;
  }

  async park(kind, event, reason) {
    const folder = path.join(this.dir, kind);
    await mkdir(folder, { recursive: true });
    const target = path.join(folder, `${encodeURIComponent(event.id ?? "unknown")}.json`);
    await writeFile(target, JSON.stringify({ reason, event }, null, 2) + "\n");
    return target;
  }
}

function sum(totals) {
  return totals.map((t) => `${t.currency} ${t.total}`).join(" + ");
}

/**
 * Handle one Kafka record. Returns what happened; throws only for failures worth a retry
 * (the API unreachable), so that the consumer does not commit the record's offset.
 *
 * @param {object} record  kafkajs message plus topic/partition
 * @param {{agency: string, tenant: string, contract: import("./contract.mjs").Contract,
 *          api: import("./agency-api.mjs").AgencyApi, store: CaseStore}} deps
 */
export async function handleRecord(record, { agency, tenant, contract, api, store }) {
  let event;
  try {
    event = decodeRecord(record);
  } catch (error) {
    if (error instanceof UndecodableRecord) return { action: "ignored", reason: error.message };
    throw error;
  }
  if (event.type !== HANDOVER) return { action: "ignored", reason: `not a hand-over (${event.type})` };
  if (event.tenant !== tenant) return { action: "ignored", reason: `tenant ${event.tenant}` };
  if (!contract.supports(event.type, event.schemaVersion)) {
    // A newer schema version than this client knows: keep it for a person, do not guess.
    const file = await store.park("unsupported", event, `schema version ${event.schemaVersion}`);
    return { action: "parked", reason: `unsupported schema version ${event.schemaVersion}`, file };
  }
  const problems = contract.problems(event.type, event.schemaVersion, event.data);
  if (problems.length > 0) {
    const file = await store.park("rejected", event, problems);
    return { action: "rejected", reason: problems.join("; "), file };
  }
  const handover = event.data;
  if (handover.agency !== agency) return { action: "ignored", reason: `handed to ${handover.agency}` };

  let caseFile;
  try {
    caseFile = await api.caseFile(handover.debtor_ref);
  } catch (error) {
    if (error.status === 404 || error.status === 409) {
      // Recalled or closed since (an old hand-over read from the topic's history).
      return { action: "ignored", reason: `case no longer with the agency (${error.status})` };
    }
    throw error;
  }
  const file = await store.save(event.tenant, handover.debtor_ref, {
    escalation_id: event.id,
    escalated_on: handover.escalated_on,
    debtor_ref: handover.debtor_ref,
    debtor_name: handover.debtor_name,
    handover,
    case_file: caseFile,
  });
  const confirmation = await api.reportStatus(
    handover.debtor_ref,
    {
      status: "received",
      note: `file of ${handover.escalated_on} received: ${handover.items.length} item(s), ${sum(handover.totals)}`,
    },
    `received:${event.id}`,
  );
  return {
    action: "received",
    escalation_id: event.id,
    tenant: event.tenant,
    debtor_ref: handover.debtor_ref,
    items: handover.items.map((i) => i.invoice_number),
    totals: handover.totals,
    case_status: caseFile.status,
    file,
    confirmation: confirmation.body,
    replayed: confirmation.replayed,
  };
}
