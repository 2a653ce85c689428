import type { Env } from '../../paths.js';
import { DbusConnection, DbusError, socketPathOf, TimeoutError, withTimeout } from './dbus-client.js';
import type { DbusValue } from './dbus-wire.js';

const SECRETS = 'org.freedesktop.secrets';
const SERVICE_PATH = '/org/freedesktop/secrets';
const DEFAULT_COLLECTION = '/org/freedesktop/secrets/aliases/default';
const PROPERTIES = 'org.freedesktop.DBus.Properties';

export type SecretServiceStatus =
  | { available: true; detail: string; session: SecretServiceSession }
  | { available: false; detail: string; hint: string };

const START_HINT = 'start one: `gnome-keyring-daemon --start --components=secrets` in a desktop session, or `dbus-run-session -- $SHELL` then `gnome-keyring-daemon --unlock --components=secrets`';

/**
 * Looks at the Secret Service over the session bus, without touching any item:
 * is there a bus, is something providing org.freedesktop.secrets, is the default keyring unlocked.
 * Everything runs on sockets with a deadline, so a hung daemon costs at most `timeoutMs`.
 */
export async function probeSecretService(env: Env, timeoutMs: number): Promise<SecretServiceStatus> {
  const address = env.DBUS_SESSION_BUS_ADDRESS;
  if (!address) return { available: false, detail: 'no session bus: DBUS_SESSION_BUS_ADDRESS is unset', hint: START_HINT };
  const socketPath = socketPathOf(address);
  if (!socketPath) return { available: false, detail: `unsupported session bus address ${JSON.stringify(address)} (only unix: sockets)`, hint: START_HINT };
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  let conn: DbusConnection;
  try {
    conn = await DbusConnection.open(socketPath, left());
  } catch (error) {
    const why = error instanceof TimeoutError ? `no answer within ${timeoutMs} ms` : (error as Error).message;
    return { available: false, detail: `cannot connect to the session bus at ${address.split(',')[0]}: ${why}`, hint: START_HINT };
  }
  try {
    return await withTimeout(inspect(conn), left());
  } catch (error) {
    conn.close();
    if (error instanceof TimeoutError)
      return {
        available: false,
        detail: `the Secret Service did not answer within ${timeoutMs} ms`,
        hint: 'check that the keyring daemon is responsive, or raise MCP_CLI_KEYCHAIN_TIMEOUT_MS (milliseconds)',
      };
    return { available: false, detail: `the Secret Service failed: ${(error as Error).message}`, hint: START_HINT };
  }
}

async function inspect(conn: DbusConnection): Promise<SecretServiceStatus> {
  const bus = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' };
  const [owned] = await conn.call({ ...bus, member: 'NameHasOwner', signature: 's', body: [SECRETS] });
  if (!owned) {
    const [activatable] = await conn.call({ ...bus, member: 'ListActivatableNames' });
    if (!(activatable as string[]).includes(SECRETS)) {
      conn.close();
      return { available: false, detail: `no Secret Service provider on the session bus (nothing owns ${SECRETS})`, hint: START_HINT };
    }
  }
  let locked: DbusValue;
  const label = getProperty(conn, DEFAULT_COLLECTION, 'org.freedesktop.Secret.Collection', 'Label').catch(() => 'default');
  try {
    locked = await getProperty(conn, DEFAULT_COLLECTION, 'org.freedesktop.Secret.Collection', 'Locked');
  } catch (error) {
    if (!(error instanceof DbusError)) throw error;
    conn.close();
    return {
      available: false,
      detail: `the Secret Service has no default keyring (${error.message})`,
      hint: 'create a default keyring, e.g. with Seahorse ("Passwords and Keys"), or `gnome-keyring-daemon --unlock --components=secrets`',
    };
  }
  if (locked) {
    conn.close();
    return {
      available: false,
      detail: `the default keyring '${String(await label)}' is locked`,
      hint: 'unlock it (log in to the desktop session, or unlock it in Seahorse), then run the command again',
    };
  }
  return { available: true, detail: `Secret Service, keyring '${String(await label)}'`, session: new SecretServiceSession(conn) };
}

async function getProperty(conn: DbusConnection, path: string, iface: string, name: string): Promise<DbusValue> {
  const [variant] = await conn.call({ destination: SECRETS, path, interface: PROPERTIES, member: 'Get', signature: 'ss', body: [iface, name] });
  return (variant as [string, DbusValue])[1];
}

/** An open connection to the Secret Service, for reading item attributes and mcp-cli's own non-secret items. */
export class SecretServiceSession {
  private plainSession: Promise<string> | undefined;

  constructor(readonly conn: DbusConnection) {}

  /**
   * Reads an item's value in one round trip, with the "plain" transfer of the Secret Service
   * API. Only for items that hold no secret (the metadata index): token values are read through
   * @napi-rs/keyring, whose session encrypts them on the bus.
   */
  async readPlain(service: string, account: string): Promise<string | undefined> {
    const path = (await this.searchUnlocked([['service', service], ['username', account]]))[0];
    if (path === undefined) return undefined;
    this.plainSession ??= this.conn
      .call({ destination: SECRETS, path: SERVICE_PATH, interface: 'org.freedesktop.Secret.Service', member: 'OpenSession', signature: 'sv', body: ['plain', ['s', '']] })
      .then(([, session]) => session as string);
    const [secret] = await this.conn.call({ destination: SECRETS, path, interface: 'org.freedesktop.Secret.Item', member: 'GetSecret', signature: 'o', body: [await this.plainSession] });
    return ((secret as DbusValue[])[2] as Buffer).toString('utf8');
  }

  /** Object paths of the unlocked items whose attributes match all of `attributes`. */
  private async searchUnlocked(attributes: [string, string][]): Promise<string[]> {
    const [unlocked] = await this.conn.call({
      destination: SECRETS,
      path: SERVICE_PATH,
      interface: 'org.freedesktop.Secret.Service',
      member: 'SearchItems',
      signature: 'a{ss}',
      body: [attributes],
    });
    return unlocked as string[];
  }

  /** The `username` attribute of every unlocked item whose `service` attribute is `service`. */
  async accounts(service: string): Promise<Set<string>> {
    const paths = await this.searchUnlocked([['service', service]]);
    const attributes: DbusValue[] = [];
    // Pipelined, in batches: a bus limits the calls one connection may have awaiting replies.
    for (let i = 0; i < paths.length; i += 64) {
      attributes.push(...(await Promise.all(paths.slice(i, i + 64).map((path) => getProperty(this.conn, path, 'org.freedesktop.Secret.Item', 'Attributes')))));
    }
    const accounts = new Set<string>();
    for (const pairs of attributes as [string, string][][]) {
      const username = pairs.find(([k]) => k === 'username')?.[1];
      if (username !== undefined) accounts.add(username);
    }
    return accounts;
  }
}
