// nock 15 hands a reply callback the intercepted request as a fetch Request (one argument: a callback declared with
// two is taken for the old callback style and never answers). This reads it the way the tests look at requests.
export interface SeenRequest {
  /** Path and query, as nock 14 gave them. */
  uri: string;
  /** The body: parsed JSON when it is JSON, else the text ('' when there is none). */
  body: any;
  headers: Headers;
}

export async function seen(req: Request): Promise<SeenRequest> {
  const url = new URL(req.url);
  const text = await req.text();
  let body: unknown = text;
  try {
    if (text !== '') body = JSON.parse(text);
  } catch {
    // form bodies and plain text stay text
  }
  return { uri: `${url.pathname}${url.search}`, body, headers: req.headers };
}
