import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CACHE } from '../../scripts/node-binary.mjs';

/** Where scripts/node-binary.mjs keeps newer Node.js binaries (scripts/setup.sh installs 24, npm run test:node each it runs). */
const DEFAULT_PATHS = ['22', '24', '26'].map((major) => join(CACHE, major, 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node'));

/**
 * Node.js binaries other than the one running the tests, for behaviour that differs between
 * versions: MCP_CLI_TEST_NODES (paths separated by the path delimiter), else those of
 * DEFAULT_PATHS that exist.
 */
export function otherNodes(): string[] {
  const listed = process.env.MCP_CLI_TEST_NODES?.split(delimiter).filter(Boolean);
  return (listed ?? DEFAULT_PATHS).filter((path) => existsSync(path) && path !== process.execPath);
}
