// The published event contract: JSON Schemas (draft 2020-12) per event type and schema version,
// listed in index.json (shared/contracts/schemas in the repository; copy that folder into your
// own project and update it when the index lists new versions).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

export const DEFAULT_SCHEMA_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../shared/contracts/schemas",
);

export class Contract {
  /** @param {Map<string, import("ajv").ValidateFunction>} validators keyed "<type>@<version>" */
  constructor(validators) {
    this.validators = validators;
  }

  /** Load the schemas of the given event types (every version the index lists). */
  static async load(dir = DEFAULT_SCHEMA_DIR, types = undefined) {
    const index = JSON.parse(await readFile(path.join(dir, "index.json"), "utf8"));
    // strict: false -- the schemas carry annotations (x-event-type, examples) ajv does not know.
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const validators = new Map();
    for (const entry of index.events) {
      if (types && !types.includes(entry.type)) continue;
      const schema = JSON.parse(await readFile(path.join(dir, entry.schema), "utf8"));
      validators.set(`${entry.type}@${entry.version}`, ajv.compile(schema));
    }
    return new Contract(validators);
  }

  supports(type, version) {
    return this.validators.has(`${type}@${version}`);
  }

  /** Problems of a payload against its published schema ([] when it is valid). */
  problems(type, version, payload) {
    const validate = this.validators.get(`${type}@${version}`);
    if (!validate) return [`no schema for ${type} v${version}`];
    if (validate(payload)) return [];
    return validate.errors.map((e) => `${e.instancePath || "(payload)"} ${e.message}`);
  }
}
