// Reads a Graph collection through @odata.nextLink: to its end, or as far as the caller needs.
import type { GraphDevice } from './device-map.js';
import type { GraphHttp } from './http.js';

/**
 * Follows nextLinks until there are none, until `enough` says the items in hand will do, or after `maxPages`
 * (`capped` then says more were left unread).
 */
export async function readAllPages(
  http: GraphHttp,
  first: string,
  what: string,
  enough?: (items: readonly GraphDevice[]) => boolean,
  maxPages = Number.POSITIVE_INFINITY,
): Promise<{ items: GraphDevice[]; pages: number; capped: boolean }> {
  const items: GraphDevice[] = [];
  let next: string | undefined = first;
  let pages = 0;
  while (next !== undefined && !(pages > 0 && enough?.(items))) {
    if (pages >= maxPages) return { items, pages, capped: true };
    const { body } = await http.call('GET', next, { kind: 'lookup', what });
    pages += 1;
    const page = body as { value?: unknown; '@odata.nextLink'?: unknown } | undefined;
    if (Array.isArray(page?.value)) items.push(...(page.value.filter((v) => typeof v === 'object' && v !== null) as GraphDevice[]));
    next = typeof page?.['@odata.nextLink'] === 'string' ? page['@odata.nextLink'] : undefined;
  }
  return { items, pages, capped: false };
}
