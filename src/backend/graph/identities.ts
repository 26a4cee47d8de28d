// An address to the Entra ID user behind it (see IdentityDirectory): the one user whose userPrincipalName or mail it
// is. Needs User.Read.All. An alias that is only a proxy address is not looked up: that person is then not told
// apart from anyone, and an approval by them is refused (fail closed), never allowed.
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { GraphHttp } from './http.js';

const ADDRESS = /^[^\s@'"\\]+@[^\s@'"\\]+$/;

export async function entraIdOf(http: GraphHttp, address: string): Promise<string | undefined> {
  const wanted = address.trim().toLowerCase();
  // Nothing that could change the filter's meaning reaches it; such an address belongs to nobody.
  if (!ADDRESS.test(wanted)) return undefined;
  const filter = `userPrincipalName eq '${wanted}' or mail eq '${wanted}'`;
  const { body } = await http.call('GET', `/v1.0/users?$filter=${encodeURIComponent(filter)}&$select=id,userPrincipalName,mail&$top=5`, { kind: 'directory', what: 'user look-up' });
  const value = (body as { value?: unknown } | undefined)?.value;
  const users = Array.isArray(value) ? (value as Array<{ id?: unknown; userPrincipalName?: unknown; mail?: unknown }>) : [];
  // A filter Graph ignores answers with everyone: only users who really have the address count.
  const has = (v: unknown) => typeof v === 'string' && v.toLowerCase() === wanted;
  const ids = [...new Set(users.filter((u) => typeof u.id === 'string' && (has(u.userPrincipalName) || has(u.mail))).map((u) => String(u.id).toLowerCase()))];
  if (ids.length > 1) throw new LockdeskError(ERROR_CODES.UNAVAILABLE, 'more than one Entra ID user has this address');
  return ids[0];
}
