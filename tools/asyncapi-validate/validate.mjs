// Validate an AsyncAPI document with the official parser (@asyncapi/parser, pinned in
// package-lock.json). Prints one JSON object: {"errors": n, "warnings": n, "diagnostics": [...]}
// and exits 1 when the parser reports an error or cannot produce a document.
//
//   node validate.mjs ../../deploy/asyncapi.json
import { readFile } from "node:fs/promises";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";

const path = process.argv[2];
if (!path) {
  console.error("usage: node validate.mjs <asyncapi.json>");
  process.exit(2);
}
const parser = new Parser();
const { document, diagnostics } = await parser.parse(await readFile(path, "utf8"), {
  source: path,
});
const named = (d) => ({
  severity: Object.keys(DiagnosticSeverity).find((k) => DiagnosticSeverity[k] === d.severity),
  code: d.code,
  message: d.message,
  path: d.path.join("/"),
});
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
const warnings = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning);
const summary = {
  errors: errors.length,
  warnings: warnings.length,
  parsed: document !== undefined,
  version: document?.version(),
  channels: document?.channels().length ?? 0,
  messages: document?.components().messages().length ?? 0,
  schemas: document?.components().schemas().length ?? 0,
  diagnostics: diagnostics.map(named),
  // What a code generator sees of each message once references and traits are applied.
  messageDetails: (document?.channels().all() ?? []).flatMap((c) =>
    c.messages().all().map((m) => ({
    channel: c.address(),
    partitions: c.bindings().get("kafka")?.value()?.partitions,
    id: m.id(),
    name: m.name(),
    payloadType: m.payload()?.type(),
    payloadProperties: Object.keys(m.payload()?.properties() ?? {}).length,
    headers: Object.keys(m.headers()?.properties() ?? {}),
    correlationId: m.correlationId()?.location(),
    kafkaKey: m.bindings().get("kafka")?.value()?.key?.type,
    unresolvedRefs: JSON.stringify(m.json()).includes('"$ref"'),
  }))),
};
console.log(JSON.stringify(summary, null, 2));
process.exit(errors.length === 0 && document !== undefined ? 0 : 1);
