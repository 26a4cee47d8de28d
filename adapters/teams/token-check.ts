// What lockdesk reads of a bearer token before the Teams SDK verifies it: only its issuer, to refuse what Bot
// Framework did not issue. Nothing read here is believed; refusing on it grants nothing.

/** The `iss` claim of a JWT, unverified; undefined when the token does not decode. */
export function issuerOf(jwt: string): string | undefined {
  const payload = jwt.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const iss = (claims as { iss?: unknown } | null)?.iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}
