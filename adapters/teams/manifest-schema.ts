// Checks a Teams app manifest against the Microsoft Teams manifest schema it declares ($schema), from the copy in
// manifest/teams/schema/ (vendored from @microsoft/app-manifest, MIT): offline, so a package is checked where it is
// built, before Teams refuses it on upload.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ajvDraft04 from 'ajv-draft-04';

// A CommonJS module: its class is the default export's `default` under NodeNext.
const Ajv = ajvDraft04.default;

/** Where the schema of manifest version `v` is kept: MicrosoftTeams.v<v>.schema.json. */
export function schemaFileFor(schemaUrl: unknown, schemaDir: string): string {
  const version = typeof schemaUrl === 'string' ? /\/teams\/v(\d+\.\d+)\/MicrosoftTeams\.schema\.json$/.exec(schemaUrl)?.[1] : undefined;
  if (!version) throw new Error(`the manifest's $schema (${JSON.stringify(schemaUrl)}) is not a Microsoft Teams manifest schema`);
  const file = path.join(schemaDir, `MicrosoftTeams.v${version}.schema.json`);
  if (!existsSync(file)) throw new Error(`the manifest declares the Teams manifest schema v${version}, and ${file} has no copy of it`);
  return file;
}

/** The manifest's problems by the schema it declares, one line each (none: valid). */
export function manifestProblems(manifest: Record<string, unknown>, schemaDir: string): string[] {
  const schema: unknown = JSON.parse(readFileSync(schemaFileFor(manifest.$schema, schemaDir), 'utf8'));
  // Unknown keywords in the schema are an error; its loose typing (draft-04 style) is not.
  const ajv = new Ajv({ allErrors: true, strictSchema: true, strictTypes: false, strictTuples: false, strictRequired: false, formats: { uri: (value: string) => URL.canParse(value) } });
  const validate = ajv.compile(schema as object);
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(the manifest)'} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${JSON.stringify(e.params.allowedValues)})` : ''}`);
}
