// Loops over a whole tenant (an inventory of 100k devices) in slices, giving the event loop back between them:
// one slice takes a millisecond or two, so acks and other requests are answered in between instead of waiting
// behind one stretch of 50 ms.

/** Items handled before the loop is given back. */
export const CHUNK = 5_000;

/** Resolves on a later turn of the event loop, after the I/O that is waiting (setImmediate, not a microtask). */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Calls `each` for every item in order, `size` at a time, with a turn of the event loop between slices. */
export async function forEachChunk<T>(items: readonly T[], each: (item: T) => void, size: number = CHUNK): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    if (start > 0) await nextTurn();
    const end = Math.min(items.length, start + size);
    for (let i = start; i < end; i++) each(items[i]!);
  }
}
