// The fake Microsoft Graph + Entra server for lockdesk's end-to-end tests and `npm run bench:graph`.
export { startFakeGraph, type FakeGraph, type FakeGraphOptions, type Counters, type Fault, type LoggedRequest } from './server.js';
export { FakeTenant, demoTenant, generatedTenant, type FakeDevice, type FakeUser } from './tenant.js';
export { createSelfSignedCert, readTlsMaterial, type TlsMaterial } from './tls.js';
export { DEFAULT_ROLES, READ_ROLE, PRIVILEGED_ROLE, REVOKE_SESSIONS_ROLE, USER_READ_ROLE } from './identity.js';
export type { RevocationRecord } from './user-routes.js';
export type { WriteRecord } from './graph-routes.js';
