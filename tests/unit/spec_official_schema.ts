/**
 * The official JSON schemas of the runtime spec (draft-04), compiled with
 * ajv: the reference the zod schema is held to.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ajvDraft04 from "ajv-draft-04";

/** shared/ sits beside the repository (design.md "Reference text"). */
export const OFFICIAL_SCHEMA_DIR = fileURLToPath(
  new URL("../../../shared/reference/runtime-spec/schema/", import.meta.url),
);

// A CommonJS package whose class is both module.exports and module.exports.default (which is
// itself), so `.default` is the class whichever of the two a runtime's default import gives.
const Ajv = ajvDraft04.default;

/** What the official schema says of a document: valid or not, and where it first objects. */
export interface OfficialVerdict {
  ok: boolean;
  errors: string[];
}

/** A validator for config.json documents against schema/config-schema.json and the files it refers to. */
export function officialConfigValidator(): (config: unknown) => OfficialVerdict {
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const file of readdirSync(OFFICIAL_SCHEMA_DIR).filter((f) => f.endsWith(".json"))) {
    ajv.addSchema(JSON.parse(readFileSync(join(OFFICIAL_SCHEMA_DIR, file), "utf8")), file);
  }
  const validate = ajv.getSchema("config-schema.json");
  if (!validate) throw new Error("config-schema.json did not compile");
  return (config) => {
    const ok = validate(config) as boolean;
    return { ok, errors: (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`) };
  };
}
