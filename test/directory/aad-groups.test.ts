import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, PolicyHolder, policySchema, type Policy } from '../../src/core/index.js';
import { aadGroupResolver, GROUP_CACHE_MS, policyGroupIds } from '../../src/directory/aad-groups.js';
import type { Directory } from '../../src/ports.js';
import { FakeClock } from '../fakes/clock.js';
import { RecordingLogger } from '../core/harness.js';

const policy: Policy = policySchema.parse({
  approvers: ['aad-group:g-approvers'],
  roles: [
    { name: 'admins', members: ['aad-group:g-admins', 'email:x@contoso.com'], actions: ['lock'], devices: 'any' },
    { name: 'everyone', members: ['*'], actions: ['lock'], devices: 'own' },
  ],
});

class CountingDirectory implements Directory {
  calls: Array<{ userId: string; groupIds: readonly string[] }> = [];
  fail = false;
  async memberGroups(userId: string, groupIds: readonly string[]) {
    this.calls.push({ userId, groupIds });
    if (this.fail) throw new Error('Graph said no');
    return userId === 'oid-bob' ? groupIds.filter((g) => g === 'g-admins') : [];
  }
}

describe('aad-group members', () => {
  it('the policy names its groups once each, from roles and approvers', () => {
    expect(policyGroupIds(policy).sort()).toEqual(['g-admins', 'g-approvers']);
    expect(policyGroupIds(DEFAULT_POLICY)).toEqual([]);
  });

  it("second-person approvers' and pausers' groups are asked about too (else their members could never approve or pause)", () => {
    const guarded = policySchema.parse({
      roles: policy.roles,
      pausers: ['aad-group:g-pausers', 'slack-group:S0PAUSE'],
      approval: { approvers: ['aad-group:g-leads', 'aad-group:g-admins'], rules: [{ actions: ['lock'] }] },
    });
    expect(policyGroupIds(guarded).sort()).toEqual(['g-admins', 'g-leads', 'g-pausers']);
  });

  it('asks the directory about the policy\'s groups only, caches the answer, and asks again after it ages', async () => {
    const directory = new CountingDirectory();
    const clock = new FakeClock();
    const groupsOf = aadGroupResolver(directory, policy, clock, new RecordingLogger());
    expect(await groupsOf('oid-bob')).toEqual(['aad-group:g-admins']);
    expect(await groupsOf('oid-bob')).toEqual(['aad-group:g-admins']);
    expect(await groupsOf('oid-alice')).toEqual([]);
    expect(directory.calls.map((c) => c.userId)).toEqual(['oid-bob', 'oid-alice']);
    expect([...directory.calls[0]!.groupIds].sort()).toEqual(['g-admins', 'g-approvers']);
    clock.advance(GROUP_CACHE_MS);
    await groupsOf('oid-bob');
    expect(directory.calls).toHaveLength(3);
  });

  it('gives no group when the directory fails, or when the policy names none, without asking', async () => {
    const directory = new CountingDirectory();
    directory.fail = true;
    const logger = new RecordingLogger();
    expect(await aadGroupResolver(directory, policy, new FakeClock(), logger)('oid-bob')).toEqual([]);
    expect(logger.lines.join()).toMatch(/aad-group roles do not apply/);
    const quiet = new CountingDirectory();
    expect(await aadGroupResolver(quiet, DEFAULT_POLICY, new FakeClock(), logger)('oid-bob')).toEqual([]);
    expect(await aadGroupResolver(undefined, policy, new FakeClock(), logger)('oid-bob')).toEqual([]);
    expect(quiet.calls).toEqual([]);
  });

  it('a reloaded policy\'s groups are asked about from the next event on; what was remembered of the old ones is not used', async () => {
    const directory = new CountingDirectory();
    const holder = new PolicyHolder(policy);
    const groupsOf = aadGroupResolver(directory, holder, new FakeClock(), new RecordingLogger());
    expect(await groupsOf('oid-bob')).toEqual(['aad-group:g-admins']);
    holder.replace(policySchema.parse({ roles: [{ name: 'lockers', members: ['aad-group:g-lockers'], actions: ['lock'], devices: 'any' }] }));
    expect(await groupsOf('oid-bob')).toEqual([]);
    expect(directory.calls.map((c) => [...c.groupIds].sort())).toEqual([['g-admins', 'g-approvers'], ['g-lockers']]);
    holder.replace(DEFAULT_POLICY);
    expect(await groupsOf('oid-bob')).toEqual([]);
    expect(directory.calls).toHaveLength(2);
  });
});
