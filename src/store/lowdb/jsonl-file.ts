// Append-only JSON-lines files (audit.jsonl, history.jsonl): repair a torn tail at open, find where the complete
// lines end, read line by line. Appending is jsonl-appender.ts.
import { createReadStream } from 'node:fs';
import { open, stat, truncate } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { Logger } from '../../ports.js';

const NEWLINE = 0x0a;
const TAIL_CHUNK = 64 * 1024;

/**
 * A file that does not end with a newline lost the end of its last line in a crash. The torn part is cut off (and
 * logged, never silently) so the next append starts on a line of its own instead of gluing onto garbage.
 * Reads only the tail, so the work does not depend on the file's size.
 */
export async function repairTornTail(file: string, logger: Logger): Promise<void> {
  const size = await fileSize(file);
  const keep = await completeLinesEnd(file, size);
  if (keep === size) return;
  await truncate(file, keep);
  logger.warn({ file, droppedBytes: size - keep, keptBytes: keep }, 'torn last line removed (a crash interrupted a write); earlier lines are intact');
}

/**
 * The byte offset just past the last newline before `size`: where the complete lines end. Reads backwards from the
 * end only as far as the last line reaches, so the work does not depend on the file's size.
 */
export async function completeLinesEnd(file: string, size: number): Promise<number> {
  if (size <= 0) return 0;
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(TAIL_CHUNK);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - TAIL_CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, end - start, start);
      const at = buffer.subarray(0, bytesRead).lastIndexOf(NEWLINE);
      if (at >= 0) return start + at + 1;
      end = start;
    }
    return 0;
  } finally {
    await handle.close();
  }
}

export interface JsonlLine {
  lineNumber: number;
  value: unknown;
}

/**
 * Streams a file's complete lines as parsed JSON, up to byte `size` (exclusive). An unterminated last line is one
 * being appended right now (by this or another process) and is left out, not reported as damage. A line in the
 * middle that is not JSON is corruption: it throws, naming the file and the line.
 */
export async function* readJsonl(file: string, size: number): AsyncGenerator<JsonlLine> {
  const end = await completeLinesEnd(file, size);
  if (end <= 0) return;
  const input = createReadStream(file, { start: 0, end: end - 1 });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber += 1;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw corruptLine(file, lineNumber, 'is not valid JSON', error);
      }
      yield { lineNumber, value };
    }
  } finally {
    // Also when the reader stops early: release the file descriptor now, not at garbage collection.
    lines.close();
    input.destroy();
  }
}

export function corruptLine(file: string, lineNumber: number, what: string, cause?: unknown): LockdeskError {
  return new LockdeskError(ERROR_CODES.STORE_CORRUPT, `${file} line ${lineNumber} ${what}; the file was not changed. Repair or remove that line.`, {
    userMessage: 'The audit trail could not be read because a stored line is damaged; an administrator has to repair it.',
    cause,
  });
}

/** Size of the file now, or 0 when it does not exist yet. */
export async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}
