// Reads a Graph collection to its end through @odata.nextLink.
import type { GraphDevice } from './device-map.js';
import type { GraphHttp } from './http.js';

export async function readAllPages(http: GraphHttp, first: string, what: string): Promise<{ items: GraphDevice[]; pages: number }> {
  const items: GraphDevice[] = [];
  let next: string | undefined = first;
  let pages = 0;
  while (next !== undefined) {
    const { body } = await http.call('GET', next, { kind: 'lookup', what });
    pages += 1;
    const page = body as { value?: unknown; '@odata.nextLink'?: unknown } | undefined;
    if (Array.isArray(page?.value)) items.push(...(page.value.filter((v) => typeof v === 'object' && v !== null) as GraphDevice[]));
    next = typeof page?.['@odata.nextLink'] === 'string' ? page['@odata.nextLink'] : undefined;
  }
  return { items, pages };
}
