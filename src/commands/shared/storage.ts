import { canAskSecret, type Ctx } from '../../context.js';
import { readJsonFile } from '../../config/json.js';
import { locateConfig, type ConfigLocation } from '../../config/locate.js';
import { tokenStorageFrom, type TokenStorageSettings } from '../../config/token-storage.js';
import type { BackendEnv } from '../../stores/backend.js';
import { openSelected, requestedBackend, selectBackend, type BackendRequest, type Selection } from '../../stores/selection.js';
import type { SecretStore } from '../../stores/store.js';
import { TokenManager } from '../../tokens/manager.js';
import { openAuditLog } from './audit.js';

export interface StorageSetup {
  config?: ConfigLocation;
  settings: TokenStorageSettings;
  request: BackendRequest;
  backendEnv: BackendEnv;
}

/** Reads what decides the backend: the global flag, the environment, and the config file's tokenStorage block. */
export async function storageSetup(ctx: Ctx): Promise<StorageSetup> {
  const config = locateConfig({ flag: ctx.globals.config, env: ctx.env, cwd: ctx.cwd });
  const settings = config ? tokenStorageFrom(await readJsonFile(config.path), config.path) : {};
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
  };
  return { config, settings, request, backendEnv };
}

export interface OpenedStore {
  store: SecretStore;
  selection: Selection;
  manager: TokenManager;
}

/** The one path by which every command reaches the token store. */
export async function openTokenStore(ctx: Ctx): Promise<OpenedStore> {
  const setup = await storageSetup(ctx);
  const selection = await selectBackend(setup.request, setup.backendEnv);
  const store = await openSelected(selection, setup.backendEnv);
  return { store, selection, manager: new TokenManager(store, ctx.now, openAuditLog(ctx, store)) };
}
