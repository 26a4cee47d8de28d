// Environment variables of the slack integration (filled in by its issue).
import type { z } from 'zod';

export const slackEnv: Record<string, z.ZodType> = {};
