// A process that reserves Graph writes in the shared window and then never answers, as a replica killed with
// kill -9 while its request is in flight. Run: node --import tsx test/store/write-window-child.ts <url> <schema> <request json>
import { PostgresWriteWindow } from '../../src/store/postgres/write-window.js';

const [url, schema, request] = process.argv.slice(2);
const window = new PostgresWriteWindow({ url: url!, schema: schema!, owner: `child-${process.pid}` });
const reservation = await window.reserve(JSON.parse(request!));
process.stdout.write(`${JSON.stringify(reservation)}\n`);
// Holds the process open (and the reservation unanswered) until the test kills it.
setInterval(() => undefined, 60_000);
