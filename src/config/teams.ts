// Environment variables of the teams integration (filled in by its issue).
import type { z } from 'zod';

export const teamsEnv: Record<string, z.ZodType> = {};
