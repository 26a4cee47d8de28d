// The baseline for bench/runtime.ts: a process with Bolt's HTTP receiver and the Teams SDK's App loaded and an HTTP
// server answering /healthz, nothing of lockdesk. Plain JavaScript, started with node.
import { createServer } from 'node:http';
import bolt from '@slack/bolt';
import { App as TeamsApp } from '@microsoft/teams.apps';

const receiver = new bolt.HTTPReceiver({ signingSecret: 'bench' });
new bolt.App({ receiver, token: 'xoxb-bench', tokenVerificationEnabled: false });
const teams = new TeamsApp({ clientId: undefined, clientSecret: undefined, dangerouslyAllowUnauthenticatedRequests: false });
void teams;
const server = createServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 404).end('ok'));
server.listen(0, '127.0.0.1', () => process.stdout.write(`bare SDKs running on http://127.0.0.1:${server.address().port} \n`));
process.on('SIGTERM', () => process.exit(0));
