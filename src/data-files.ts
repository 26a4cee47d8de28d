// Reads the data files people edit (platform support, policy), validating them; a bad file stops start-up.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { describeIssues } from './config/index.js';
import { ERROR_CODES, LockdeskError } from './core/errors.js';
import { DEFAULT_POLICY, platformSupportSchema, policySchema, type PlatformSupport, type Policy } from './core/index.js';

export async function readJsonFile<S extends z.ZodType>(file: string, schema: S, what: string): Promise<z.output<S>> {
  return parseJsonText(await readText(file, what), file, schema, what);
}

export async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new LockdeskError(ERROR_CODES.DATA_INVALID, `cannot read the ${what} ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** The SHA-256 of a data file's text: what the audit trail says of a policy file, never its content. */
export const textHash = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The same checks on text already read: not JSON, or every problem the schema finds, in one message. */
export function parseJsonText<S extends z.ZodType>(text: string, file: string, schema: S, what: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LockdeskError(ERROR_CODES.DATA_INVALID, `the ${what} ${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new LockdeskError(ERROR_CODES.DATA_INVALID, describeIssues(parsed.error, `the ${what} ${file} has problems`));
  return parsed.data;
}

export const loadPlatformSupport = (file: string): Promise<PlatformSupport> => readJsonFile(file, platformSupportSchema, 'platform-support file');

export const parsePolicyText = (text: string, file: string): Policy => parseJsonText(text, file, policySchema, 'policy file');

export async function loadPolicy(file: string | undefined): Promise<{ policy: Policy; source: string; hash?: string }> {
  if (!file) return { policy: DEFAULT_POLICY, source: 'none (everyone may act on their own devices only)' };
  const text = await readText(file, 'policy file');
  return { policy: parsePolicyText(text, file), source: file, hash: textHash(text) };
}
