// Reads the data files people edit (platform support, policy), validating them; a bad file stops start-up.
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { describeIssues } from './config/index.js';
import { ERROR_CODES, LockdeskError } from './core/errors.js';
import { DEFAULT_POLICY, platformSupportSchema, policySchema, type PlatformSupport, type Policy } from './core/index.js';

export async function readJsonFile<S extends z.ZodType>(file: string, schema: S, what: string): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new LockdeskError(ERROR_CODES.DATA_INVALID, `cannot read the ${what} ${file}: ${(error as Error).message}`, { cause: error });
  }
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

export async function loadPolicy(file: string | undefined): Promise<{ policy: Policy; source: string }> {
  if (!file) return { policy: DEFAULT_POLICY, source: 'none (everyone may act on their own devices only)' };
  return { policy: await readJsonFile(file, policySchema, 'policy file'), source: file };
}
