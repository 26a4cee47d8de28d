// Bounds how long a probe may take (a readiness check, a value read at scrape time): a database that hangs rather
// than refuses must not hang the probe of a load balancer or the scrape of Prometheus with it.
export class TimedOut extends Error {
  readonly code = 'timed_out';
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
  }
}

export async function withinMs<T>(ms: number, what: string, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(what, ms)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work(), late]);
  } finally {
    clearTimeout(timer);
  }
}
