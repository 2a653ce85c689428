import { canAskSecret, type Ctx, type OpenedStore } from '../context.js';
import { CliError } from '../errors.js';
import { warn } from '../io/notices.js';
import { parseJsonText } from '../config/json.js';
import type { ConfigLocation } from '../config/locate.js';
import { tokenStorageFrom, type TokenStorageSettings } from '../config/token-storage.js';
import type { BackendEnv } from '../stores/backend.js';
import { openSelected, requestedBackend, selectBackend, type BackendRequest } from '../stores/selection.js';
import { TokenManager } from '../tokens/manager.js';
import { auditSink } from './audit.js';
import { approvedAlready, configDirectoryFile, locatedConfigFile, mayUse, warnNotUsed } from './config-access.js';

export interface StorageSetup {
  /** The file whose tokenStorage block is used, if any. */
  config?: ConfigLocation;
  settings: TokenStorageSettings;
  request: BackendRequest;
  backendEnv: BackendEnv;
}

const hasTokenStorage = (data: unknown) => typeof data === 'object' && data !== null && 'tokenStorage' in data;

/**
 * The tokenStorage block that applies: the located config file's, else the user's own file's. A
 * block in a file that is not approved is never used (an impostor Vault, a path inside a cloned
 * repository); that is said on stderr, and the user's own settings apply instead.
 */
async function tokenStorageSettings(ctx: Ctx): Promise<{ config?: ConfigLocation; settings: TokenStorageSettings }> {
  const located = locatedConfigFile(ctx);
  const inConfigDir = configDirectoryFile(ctx);
  for (const file of located === inConfigDir ? [located] : [located, inConfigDir]) {
    if (!file) continue;
    let data: unknown;
    if (approvedAlready(ctx, file)) {
      try {
        data = parseJsonText(file.text, file.location.path);
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        unreadableSettings(ctx, error);
        continue;
      }
    } else {
      try {
        data = JSON.parse(file.text);
      } catch {
        warnNotUsed(ctx, file, 'tokenStorage');
        continue;
      }
    }
    if (!hasTokenStorage(data)) continue;
    if (await mayUse(ctx, file)) return { config: file.location, settings: tokenStorageFrom(data, file.location.path) };
    warnNotUsed(ctx, file, 'tokenStorage');
  }
  return { settings: {} };
}

/** Whether this command names its backend itself (`--token-backend`, `MCP_CLI_TOKEN_BACKEND`): it then needs no setting from a file. */
const backendGiven = (ctx: Ctx) => ctx.globals.tokenBackend !== undefined || !!ctx.env.MCP_CLI_TOKEN_BACKEND;

/**
 * A file of the user's (or an approved one) that cannot be parsed. With the backend named by the
 * command, it is passed over with a warning; otherwise its tokenStorage block might name the backend,
 * and guessing could read or write another one: an error that says why the file was read at all.
 */
function unreadableSettings(ctx: Ctx, error: CliError): void {
  if (backendGiven(ctx)) {
    warn(ctx, `${error.message}; its tokenStorage settings, if it has any, are not used`);
    return;
  }
  throw new CliError(
    `${error.message}; mcp-cli reads this file for its tokenStorage settings (which token backend, and where)`,
    1,
    'fix the file, or name the backend for this command: --token-backend NAME or MCP_CLI_TOKEN_BACKEND=NAME',
  );
}

/** Reads what decides the backend: the global flag, the environment, and the config file's tokenStorage block. */
export async function storageSetup(ctx: Ctx): Promise<StorageSetup> {
  const { config, settings } = await tokenStorageSettings(ctx);
  const request = requestedBackend({
    flag: ctx.globals.tokenBackend,
    envValue: ctx.env.MCP_CLI_TOKEN_BACKEND,
    configValue: settings.backend,
    configLabel: config?.path,
  });
  const backendEnv: BackendEnv = {
    env: ctx.env,
    platform: ctx.platform,
    settings,
    prompter: ctx.prompter,
    canPrompt: canAskSecret(ctx),
    stderr: ctx.stderr,
    home: ctx.home,
    ...(ctx.globals.clientEnvironment ? { clientEnvironment: true } : {}),
  };
  return { ...(config ? { config } : {}), settings, request, backendEnv };
}

/** The one path by which every command reaches the token store. */
export async function openTokenStore(ctx: Ctx): Promise<OpenedStore> {
  const setup = await storageSetup(ctx);
  const selection = await selectBackend(setup.request, setup.backendEnv);
  const store = await openSelected(selection, setup.backendEnv);
  return { store, selection, manager: new TokenManager(store, ctx.now, auditSink(ctx, store)) };
}
