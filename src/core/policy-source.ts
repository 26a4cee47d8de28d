// Where the core reads the policy: the one in force now, which a reload of the policy file may replace.
import type { Policy } from './policy.js';

export interface PolicySource {
  /** The policy in force now; a request reads it once, at its start, and keeps that one to its end. */
  current(): Policy;
}

/** A policy that can be replaced (by a reload of the policy file); every reader sees the new one next time it asks. */
export class PolicyHolder implements PolicySource {
  #policy: Policy;
  constructor(policy: Policy) {
    this.#policy = policy;
  }
  current(): Policy {
    return this.#policy;
  }
  replace(policy: Policy): void {
    this.#policy = policy;
  }
}

/** A fixed policy (tests, no policy file) or a source, as a source. */
export function policySourceOf(policy: Policy | PolicySource): PolicySource {
  return 'current' in policy && typeof policy.current === 'function' ? policy : { current: () => policy as Policy };
}

/** Something worked out from the policy (group ids to resolve), worked out again only when the policy changes. */
export function derived<T>(source: PolicySource, derive: (policy: Policy) => T): () => T {
  let seen: Policy | undefined;
  let value: T;
  return () => {
    const policy = source.current();
    if (policy !== seen) {
      value = derive(policy);
      seen = policy;
    }
    return value;
  };
}
