// The Teams SDK's HTTP server adapter, without a server: the SDK registers its pure messages handler
// (`{ body, headers } → { status, body }`) here, and lockdesk's own node:http route (http-route.ts) calls it. No
// express app is made and no port is opened; `app.start()` is never called.
import type { HttpMethod, HttpRouteHandler, IHttpServerAdapter, IHttpServerRequest, IHttpServerResponse } from '@microsoft/teams.apps';

export class RouteAdapter implements IHttpServerAdapter {
  readonly #path: string;
  #handler: HttpRouteHandler | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  /** Only the messaging endpoint is taken; the SDK's other routes (remote functions, tabs) are not served. */
  registerRoute(method: HttpMethod, path: string, handler: HttpRouteHandler): void {
    if (method === 'POST' && path === this.#path) this.#handler = handler;
  }

  /** The SDK's answer for one request: it authenticates it (unless `token` is given) and runs the app's routes. */
  async handle(request: IHttpServerRequest): Promise<IHttpServerResponse> {
    if (!this.#handler) throw new Error('the Teams SDK has not registered its messages handler (app.initialize() not called)');
    return this.#handler(request);
  }
}
