// An address to the Entra ID user behind it, against the local fake Graph server over HTTP: by UPN or mail, any
// letter case; nobody for an unknown address or one that could change the filter; an error (not a guess) without
// User.Read.All or when two users share it.
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROLES, USER_READ_ROLE } from '../../fakes/graph-server/identity.js';
import { generatedTenant, startFakeGraph, type FakeGraph } from '../../fakes/graph-server/index.js';
import { backendOn } from './fake-backend.js';

const started: FakeGraph[] = [];
afterAll(async () => {
  for (const f of started) {
    await f.close();
    await rm(f.tls.dir, { recursive: true, force: true });
  }
});

async function directory(roles = [...DEFAULT_ROLES, USER_READ_ROLE]) {
  const tenant = generatedTenant({ count: 0 });
  tenant.addUser({ id: 'A1B2C3D4-0000-4000-8000-000000000001', userPrincipalName: 'jane.doe@contoso.onmicrosoft.com', displayName: 'Jane', mail: 'jane@contoso.com' });
  tenant.addUser({ id: '00000000-0000-4000-8000-000000000002', userPrincipalName: 'twin1@contoso.com', displayName: 'Twin 1', mail: 'shared@contoso.com' });
  tenant.addUser({ id: '00000000-0000-4000-8000-000000000003', userPrincipalName: 'twin2@contoso.com', displayName: 'Twin 2', mail: 'shared@contoso.com' });
  const fake = await startFakeGraph({ plainHttp: true, tenant, roles });
  started.push(fake);
  return { fake, ...(await backendOn(fake)) };
}

describe('entraIdOf', () => {
  it("finds a user by UPN or by mail, in any letter case, as the lower-case object id; nobody for an unknown address", async () => {
    const { backend, fake } = await directory();
    expect(await backend.entraIdOf('Jane.Doe@contoso.onmicrosoft.com')).toBe('a1b2c3d4-0000-4000-8000-000000000001');
    expect(await backend.entraIdOf('JANE@contoso.com')).toBe('a1b2c3d4-0000-4000-8000-000000000001');
    expect(await backend.entraIdOf('nobody@contoso.com')).toBeUndefined();
    expect(fake.requests.filter((r) => r.url.includes('/v1.0/users?')).length).toBe(3);
    await backend.close();
  });

  it("asks nothing for an address that could change the filter's meaning", async () => {
    const { backend, fake } = await directory();
    const before = fake.requests.length;
    for (const address of ["x' or mail ne 'y@contoso.com", 'no-at-sign', 'a b@contoso.com', '']) expect(await backend.entraIdOf(address)).toBeUndefined();
    expect(fake.requests.length).toBe(before);
    await backend.close();
  });

  it('throws, never guesses, when two users share the address or the app may not read users', async () => {
    const { backend } = await directory();
    await expect(backend.entraIdOf('shared@contoso.com')).rejects.toThrow(/more than one Entra ID user/);
    await backend.close();
    const denied = await directory([...DEFAULT_ROLES]);
    await expect(denied.backend.entraIdOf('jane@contoso.com')).rejects.toMatchObject({ code: 'forbidden' });
    await denied.backend.close();
  });
});
