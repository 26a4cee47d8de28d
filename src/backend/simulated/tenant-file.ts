// Opening the run file: copy the seed on first run, then read and validate it. A bad file stops start-up, never resets.
import { constants } from 'node:fs';
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import { tenantSchema, type TenantFile } from './tenant-schema.js';

const EMPTY: TenantFile = { users: [], devices: [], actions: [] };

function invalid(file: string, problems: string, cause?: unknown): LockdeskError {
  return new LockdeskError(ERROR_CODES.DATA_INVALID, `Simulated tenant file ${file} is not usable: ${problems}`, {
    userMessage: 'The simulated tenant’s data file is damaged, so lockdesk did not start. An administrator needs to fix or remove it.',
    cause,
  });
}

function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)'}: ${issue.message}`).join('; ');
}

/** Reads and validates one tenant file, naming it in every failure. */
export async function readTenantFile(file: string): Promise<TenantFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw invalid(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(file, `not valid JSON (${(error as Error).message})`, error);
  }
  const parsed = tenantSchema.safeParse(json);
  if (!parsed.success) throw invalid(file, describeIssues(parsed.error.issues), parsed.error);
  return parsed.data;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw invalid(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, error);
  }
}

/** Opens runFile as a lowdb database, copying seedFile there first if runFile does not exist yet. */
export async function openTenantDb(seedFile: string, runFile: string): Promise<Low<TenantFile>> {
  if (!(await exists(runFile))) {
    // Validate the seed first, so a broken seed is reported under its own name rather than as a broken run file.
    await readTenantFile(seedFile);
    await mkdir(path.dirname(runFile), { recursive: true });
    try {
      await copyFile(seedFile, runFile, constants.COPYFILE_EXCL);
    } catch (error) {
      // Another process copied it first; use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const db = new Low<TenantFile>(new JSONFile<TenantFile>(runFile), EMPTY);
  // Not db.read(): lowdb keeps the defaults when the file holds null or is missing, which would silently empty the tenant.
  db.data = await readTenantFile(runFile);
  return db;
}
