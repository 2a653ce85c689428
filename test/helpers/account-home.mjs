// Loaded (node --import) before a spawned CLI where nss_wrapper does not exist (macOS, Windows): the
// account's home in the user database, which mcp-cli trusts over HOME, is the sandbox named by
// TEST_ACCOUNT_HOME, as nss_wrapper makes it on Linux (test/helpers/cli.ts). Test harness only.
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';

const home = process.env.TEST_ACCOUNT_HOME;
if (!home) throw new Error('account-home.mjs: TEST_ACCOUNT_HOME is not set');
const real = os.userInfo;
os.userInfo = (options) => ({ ...real(options), homedir: home });
syncBuiltinESMExports();
