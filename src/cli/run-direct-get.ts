import { run } from '../commands/token/get.js';
import { withFactory } from '../services/factory.js';
import { processIo } from '../context.js';
import type { DirectGet } from './direct-get.js';
import { reportError } from './report-error.js';

/** Runs the plain `token get NAME --show-value` that direct-get.ts recognised: one module for main.ts to load. */
export async function runDirectGet(direct: DirectGet): Promise<number> {
  const io = processIo({});
  try {
    await run(direct.name, { ...direct, showValue: true }, withFactory(io));
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}
