import { homeOf, type Availability, type BackendEnv } from '../backend.js';
import { StoreError } from '../errors.js';
import type { SecretStore } from '../store.js';
import { VaultClient } from './client.js';
import { authSummary, resolveAuth } from './auth.js';
import { refuseMovedByClient } from './client-environment.js';
import { resolveConnection, vaultFailure, type VaultConnection } from './connection.js';
import { vaultPath, type KvEngine } from './engine.js';
import { KvV1 } from './kv1.js';
import { KvV2 } from './kv2.js';
import { LoginSession } from './session.js';
import { VaultStore } from './store.js';

const PROBE_TIMEOUT_MS = 5000;

interface Probed {
  availability: Availability;
  ready?: { client: VaultClient; connection: VaultConnection; kvVersion: 1 | 2 };
}

// Selection probes and then opens with the same BackendEnv: one probe serves both.
const probes = new WeakMap<BackendEnv, Promise<Probed>>();

function probed(be: BackendEnv): Promise<Probed> {
  let result = probes.get(be);
  if (!result) probes.set(be, (result = runProbe(be)));
  return result;
}

export async function probeVault(be: BackendEnv): Promise<Availability> {
  return { ...(await probed(be)).availability, auth: authSummary(be.settings.vault) };
}

export async function openVault(be: BackendEnv): Promise<SecretStore> {
  const { availability, ready } = await probed(be);
  if (!ready) throw vaultFailure('unavailable', `HashiCorp Vault is unavailable: ${availability.detail}`);
  const { client, connection, kvVersion } = ready;
  const engine: KvEngine =
    kvVersion === 2 ? new KvV2(client, connection.mount, connection.pathPrefix) : new KvV1(client, connection.mount, connection.pathPrefix);
  return new VaultStore(client, engine, describe(connection, kvVersion));
}

function describe(connection: VaultConnection, kvVersion: 1 | 2): string {
  const ns = connection.namespace ? `, Vault namespace ${connection.namespace}` : '';
  const tls = connection.tls.verify ? '' : ', TLS verification OFF';
  return `${connection.address} ${connection.mount}/ (KV v${kvVersion}), path ${connection.pathPrefix}/${ns}${tls}`;
}

const unavailable = (detail: string): Probed => ({ availability: { available: false, detail } });

async function runProbe(be: BackendEnv): Promise<Probed> {
  let connection: VaultConnection;
  try {
    if (be.clientEnvironment) refuseMovedByClient(be.settings.vault ?? {}, be.env, homeOf(be));
    connection = await resolveConnection(be.settings.vault, be.env, homeOf(be));
  } catch (error) {
    if (error instanceof StoreError) return { availability: { available: false, detail: error.message, ...(error.remedy ? { hint: error.remedy } : {}) } };
    throw error;
  }
  if (/^http:/i.test(connection.address) && !/^http:\/\/(127\.[\d.]+|localhost|\[::1\])(:\d+)?$/i.test(connection.address))
    be.stderr.write(`! Vault at ${connection.address} is plain http: the Vault token and every stored value cross the network unencrypted\n`);
  if (!connection.tls.verify && connection.address.startsWith('https:'))
    be.stderr.write(
      `! TLS certificate verification of Vault at ${connection.address} is off (${connection.tls.verifyOffBy}): anyone on the way can pose as Vault and read the tokens\n`,
    );
  try {
    let client: VaultClient;
    let source: string;
    const auth = await resolveAuth(be.settings.vault, be.env, homeOf(be));
    if (auth.kind === 'token') {
      if (!auth.token) return unavailable('no Vault token: VAULT_TOKEN is not set and ~/.vault-token does not exist (run `vault login` or set VAULT_TOKEN)');
      client = new VaultClient(connection, auth.token);
      source = auth.token.source;
      const self = await client.request('GET', 'auth/token/lookup-self', undefined, { pass: [400, 403, 404], timeoutMs: PROBE_TIMEOUT_MS });
      if (self.status === 400 || self.status === 403)
        return unavailable(
          `Vault at ${connection.address} rejected the token from ${source}: it is invalid, expired or revoked (permission denied on auth/token/lookup-self)`,
        );
      if (self.status === 404) return unavailable(`${connection.address} answered 404 for /v1/auth/token/lookup-self: is this the address of Vault's API?`);
    } else {
      client = new VaultClient(connection, undefined);
      const session = new LoginSession(client, auth.login);
      client.useTokens(session);
      source = session.source;
      // The login is the check of the credentials: a token just issued needs no lookup.
      await session.current();
    }
    const kvVersion = connection.kvVersion === 'auto' ? await detectKvVersion(client, connection, source) : connection.kvVersion;
    if (typeof kvVersion === 'string') return unavailable(kvVersion);
    return {
      availability: { available: true, detail: `${describe(connection, kvVersion)}, token from ${source}` },
      ready: { client, connection, kvVersion },
    };
  } catch (error) {
    // Selection reports only the detail, so the remedy (how to fix it) goes along in it.
    if (error instanceof StoreError) return unavailable(error.remedy ? `${error.message} (${error.remedy})` : error.message);
    throw error;
  }
}

/** As Vault's CLI does: ask sys/internal/ui/mounts; a 404 means a Vault too old to say, hence KV v1. Returns why not as a string. */
async function detectKvVersion(client: VaultClient, connection: VaultConnection, tokenSource: string): Promise<1 | 2 | string> {
  const { mount, address } = connection;
  const response = await client.request('GET', `sys/internal/ui/mounts/${vaultPath(mount)}`, undefined, { pass: [403], timeoutMs: PROBE_TIMEOUT_MS });
  if (response.status === 404) return 1;
  if (response.status === 403)
    return `the token from ${tokenSource} has no access to the mount '${mount}/' at ${address}, or there is no such mount (set tokenStorage.vault.mount, or ask for a policy on ${mount}/*)`;
  const data = (response.body?.data ?? {}) as { type?: string; path?: string; options?: { version?: string } | null };
  const actual = (data.path ?? `${mount}/`).replace(/\/+$/, '');
  if (actual !== mount)
    return `'${mount}' is not a mount point: it lies inside the mount '${actual}/' (set tokenStorage.vault.mount to '${actual}' and put the rest in pathPrefix)`;
  if (data.type !== 'kv' && data.type !== 'generic') return `the mount '${mount}/' at ${address} is a ${data.type ?? 'unknown'} secrets engine, not KV`;
  return data.options?.version === '2' ? 2 : 1;
}
