// How long Slack and Teams wait for lockdesk's HTTP answer (Slack gives up after 3 s): measured on the route, from the
// request's arrival (Node hands it over once its headers are in) to the moment the last byte of the response is handed
// to the operating system, so the adapters need no change. A request whose connection dies first is not counted.
import { performance } from 'node:perf_hooks';
import type { Route } from './http-server.js';

export type AckObserver = (status: number, seconds: number) => void;

export function timedRoute(route: Route, observe: AckObserver): Route {
  return {
    ...route,
    listener: (req, res) => {
      const arrived = performance.now();
      res.once('finish', () => {
        try {
          observe(res.statusCode, (performance.now() - arrived) / 1000);
        } catch {
          // A metric never disturbs a response.
        }
      });
      return route.listener(req, res);
    },
  };
}
