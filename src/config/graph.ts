// Environment variables of the graph integration (filled in by its issue).
import type { z } from 'zod';

export const graphEnv: Record<string, z.ZodType> = {};
