// `npm start`: refuses a Node.js older than lockdesk needs, in one clear line, before the service itself is loaded
// (an older Node would fail somewhere inside a dependency instead).
import { nodeProblem } from './node-version.js';

const problem = nodeProblem(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
await import('./serve.js');
