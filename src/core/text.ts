// Text as lockdesk compares and keeps it. The same name typed on two keyboards may arrive composed ("ë") or
// decomposed ("e" + U+0308); and text from a backend may hold what no store can keep.

/** For comparing: Unicode NFC, trimmed, lower-cased. */
export function fold(text: string): string {
  return text.normalize('NFC').trim().toLowerCase();
}

/** A lone UTF-16 surrogate (half of an emoji, a broken paste): no store can keep it and no comparison can trust it. */
export const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Text from outside (a device name from the backend) made safe to store and show: NUL and lone surrogates become
 * U+FFFD, so one odd device name can never make a confirmation or an audit line impossible to write.
 */
export function storable(text: string): string {
  // A NUL or any surrogate at all (paired ones too): only then the exact, slower Unicode check. Almost no text has
  // either, and this runs for every field of every device a look-up returns.
  return MAYBE_UNSTORABLE.test(text) ? text.replace(/[\u0000\p{Cs}]/gu, '\uFFFD') : text;
}

const MAYBE_UNSTORABLE = /[\u0000\uD800-\uDFFF]/;

/** Every text field of a record from outside, made storable (see storable). */
export function storableFields<T extends object>(record: T): T {
  const out = { ...record } as Record<string, unknown>;
  for (const key in out) {
    const value = out[key];
    if (typeof value === 'string') out[key] = storable(value);
  }
  return out as T;
}

/** Control, format (direction overrides, zero-width) and line-separator characters, and runs of white space. */
const NOT_ONE_LINE = /[\p{Cc}\p{Cf}\u2028\u2029\s]+/gu;

/** Free text as one plain line: what a person typed for others to read (a reason), never able to fake a line. */
export function oneLine(text: string): string {
  return text.replace(NOT_ONE_LINE, ' ').trim();
}
