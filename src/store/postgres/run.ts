// Runs one query against the pool, translating any failure once, here.
import type pg from 'pg';
import { translatePgError } from './pool.js';

export type Run = <T>(what: string, query: (db: pg.Pool) => Promise<T>) => Promise<T>;

export function runner(pool: pg.Pool, url: string): Run {
  return async (what, query) => {
    try {
      return await query(pool);
    } catch (error) {
      throw translatePgError(error, what, url);
    }
  };
}
