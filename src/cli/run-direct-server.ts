import { run } from '../commands/run.js';
import { withFactory } from '../services/factory.js';
import { processIo } from '../context.js';
import type { DirectRun } from './direct-run.js';
import { reportError } from './report-error.js';

/** Runs the plain `run NAME` that direct-run.ts recognised, as MCP clients start it: one module for main.ts to load. */
export async function runDirectServer(direct: DirectRun): Promise<number> {
  const io = processIo({ ...(direct.config !== undefined ? { config: direct.config } : {}), workingDirectoryConfig: false, clientEnvironment: true });
  try {
    return await run(direct.server, { masking: direct.masking !== false }, withFactory(io), { signals: process });
  } catch (error) {
    return reportError(error, io);
  }
}
