// A process that registers itself like a lockdesk replica and then only renews its lease, so that a test can kill
// it with kill -9 and watch how the others see it. Run: node --import tsx test/store/registry-child.ts <url> <schema> <lease json>
import { PgProcessRegistry } from '../../src/store/postgres/process-registry.js';
import { createPool } from '../../src/store/postgres/pool.js';

const [url, schema, lease] = process.argv.slice(2);
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const pool = createPool({ url: url!, schema: schema!, max: 1 });
const registry = await PgProcessRegistry.open({ url: url!, schema: schema!, pool, logger: silent, lease: JSON.parse(lease!) });
process.stdout.write(`${JSON.stringify({ id: registry.id })}\n`);
// The registry's timers do not hold a process open; this does, until the test kills it.
setInterval(() => undefined, 60_000);
