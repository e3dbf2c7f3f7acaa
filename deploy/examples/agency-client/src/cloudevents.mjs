// CloudEvents 1.0 in Kafka binary mode, as the credit-management services publish them:
// the envelope in ce_* headers, the JSON payload as the record value, the partition key
// (<tenant>:<debtor>) as the record key. See shared/contracts/schemas/cloudevents-kafka-headers.schema.json.

export class UndecodableRecord extends Error {}

const REQUIRED = ["ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time", "ce_tenant", "ce_schemaversion"];

/** Header values arrive as Buffers (kafkajs) or strings (samples); arrays when repeated. */
function text(value) {
  if (Array.isArray(value)) return text(value[value.length - 1]);
  if (value === undefined || value === null) return undefined;
  return Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
}

/**
 * Decode one Kafka record into a CloudEvent-like object.
 * @param {{topic?: string, partition?: number, offset?: string, key?: Buffer|string|null,
 *          headers?: Record<string, Buffer|string|Array<Buffer|string>>, value: Buffer|string|null}} record
 */
export function decodeRecord(record) {
  const headers = Object.fromEntries(
    Object.entries(record.headers ?? {}).map(([name, value]) => [name, text(value)]),
  );
  const missing = REQUIRED.filter((name) => !headers[name]);
  if (missing.length > 0) {
    throw new UndecodableRecord(`not a CloudEvents record: missing ${missing.join(", ")}`);
  }
  if (headers.ce_specversion !== "1.0") {
    throw new UndecodableRecord(`unsupported CloudEvents version ${headers.ce_specversion}`);
  }
  if (!/^[1-9][0-9]*$/.test(headers.ce_schemaversion)) {
    throw new UndecodableRecord(`bad ce_schemaversion ${headers.ce_schemaversion}`);
  }
  let data;
  try {
    data = JSON.parse(text(record.value) ?? "null");
  } catch (error) {
    throw new UndecodableRecord(`value is not JSON: ${error.message}`);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new UndecodableRecord("value is not a JSON object");
  }
  return {
    id: headers.ce_id,
    type: headers.ce_type,
    schemaVersion: Number(headers.ce_schemaversion),
    source: headers.ce_source,
    subject: headers.ce_subject,
    time: headers.ce_time,
    tenant: headers.ce_tenant,
    correlationId: headers.ce_correlationid,
    causationId: headers.ce_causationid,
    partitionKey: text(record.key) ?? headers.ce_partitionkey,
    where: record.topic === undefined ? undefined : `${record.topic}[${record.partition}]@${record.offset}`,
    data,
  };
}
