// A real process that holds a lowdb store, for the lock tests (started by lowdb-lock.test.ts, not a test itself).
// Prints "ready" once loaded, then waits for a line on stdin, so that two of them can be let go at the same instant.
// Then it opens the store in the directory given as its argument and prints "holding <pid>" and keeps it until
// SIGTERM, or prints the error on stderr and exits 1.
import { createInterface } from 'node:readline';
import type { Logger } from '../../src/ports.js';
import { openLowdbStore } from '../../src/store/lowdb/index.js';

const dir = process.argv[2]!;
const logger: Logger = { debug() {}, info() {}, warn: (_obj, msg) => void process.stderr.write(`warn: ${msg ?? ''}\n`), error() {} };

const lines = createInterface({ input: process.stdin });
lines.once('line', () => {
  openLowdbStore({ dir, logger }).then(
    (store) => {
      process.stdout.write(`holding ${process.pid}\n`);
      process.once('SIGTERM', () => void store.close().then(() => process.exit(0)));
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    },
  );
});
process.stdout.write('ready\n');
