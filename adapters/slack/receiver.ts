// POST /slack/events, received for Bolt on lockdesk's own HTTP server. Bolt's HTTPReceiver runs each request in an
// async closure with no catch: a correctly signed body that parses to null (`payload=null`) made it throw outside any
// handler, an unhandled rejection that stops the process. This receiver uses Bolt's own verification, parsing and
// ack, refuses a body that is not an object, and never lets a request's failure escape.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPModuleFunctions as http, HTTPResponseAck, type App, type Logger as BoltLogger, type Receiver } from '@slack/bolt';
import type { Logger } from '../../src/ports.js';
import { SampledLog } from '../../src/server/sampled-log.js';

export class LockdeskReceiver implements Receiver {
  #app: App | undefined;
  readonly #signingSecret: string;
  readonly #boltLogger: BoltLogger;
  readonly #refused: SampledLog;

  constructor(options: { signingSecret: string; boltLogger: BoltLogger; logger: Logger }) {
    this.#signingSecret = options.signingSecret;
    this.#boltLogger = options.boltLogger;
    this.#refused = new SampledLog(options.logger, 60_000);
  }

  init(app: App): void {
    this.#app = app;
  }

  // The HTTP server is lockdesk's: nothing to start or stop here.
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  requestListener = (req: IncomingMessage, res: ServerResponse): void => {
    this.#handle(req, res).catch((error: unknown) => {
      this.#refused.warn('failed', 'Slack: a request failed inside Bolt', { err: { message: (error as Error)?.message ?? String(error) } });
      if (!res.headersSent) http.buildNoBodyResponse(res, 500);
    });
  };

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let buffered;
    try {
      buffered = await http.parseAndVerifyHTTPRequest({ enabled: true, signingSecret: this.#signingSecret, bodyLimit: http.defaultBodyLimit }, req);
    } catch (error) {
      const tooLarge = http.isRawBodyError(error) && (error.type === 'entity.too.large' || error.statusCode === 413);
      this.#refused.warn(tooLarge ? 'too-large' : 'unverified', tooLarge ? 'Slack: refused a body over the size limit (413)' : 'Slack: refused a request whose signature does not verify (401)');
      http.buildNoBodyResponse(res, tooLarge ? 413 : 401);
      return;
    }
    let body: unknown;
    try {
      body = http.parseHTTPRequestBody(buffered);
    } catch {
      body = undefined;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      this.#refused.warn('malformed', 'Slack: refused a signed body that is not a Slack payload (400)');
      http.buildNoBodyResponse(res, 400);
      return;
    }
    const fields = body as Record<string, unknown>;
    if (fields['ssl_check'] === '1') return http.buildSSLCheckResponse(res);
    if (fields['type'] === 'url_verification') return http.buildUrlVerificationResponse(res, fields);
    const ack = new HTTPResponseAck({
      logger: this.#boltLogger,
      processBeforeResponse: false,
      unhandledRequestHandler: http.defaultUnhandledRequestHandler,
      unhandledRequestTimeoutMillis: 3001,
      httpRequest: buffered,
      httpRequestBody: fields,
      httpResponse: res,
    });
    try {
      await this.#app?.processEvent({ body: fields, ack: ack.bind(), retryNum: http.extractRetryNumFromHTTPRequest(req), retryReason: http.extractRetryReasonFromHTTPRequest(req) });
    } catch (error) {
      if (await http.defaultProcessEventErrorHandler({ error: error as Error, logger: this.#boltLogger, request: req, response: res, storedResponse: undefined })) ack.ack();
    }
  }
}
