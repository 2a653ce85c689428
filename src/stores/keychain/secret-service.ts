import type { Env } from '../../paths.js';
import { DbusConnection, DbusError, socketPathOf, TimeoutError, withTimeout } from './dbus-client.js';
import type { DbusValue } from './dbus-wire.js';
import { DH_ALGORITHM, startDhTransfer, type TransferKey } from './dh-transfer.js';

const SECRETS = 'org.freedesktop.secrets';
const SERVICE_PATH = '/org/freedesktop/secrets';
const PROPERTIES = 'org.freedesktop.DBus.Properties';

export type SecretServiceStatus =
  { available: true; detail: string; session: SecretServiceSession } | { available: false; detail: string; hint: string; present?: 'locked' | 'unusable' };

const START_HINT =
  'start one: `gnome-keyring-daemon --start --components=secrets` in a desktop session, or `dbus-run-session -- $SHELL` then `gnome-keyring-daemon --unlock --components=secrets`';

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
        present: 'unusable',
      };
    return { available: false, detail: `the Secret Service failed: ${(error as Error).message}`, hint: START_HINT, present: 'unusable' };
  }
}

/** How many property reads may await their replies at once. */
const PIPELINE_DEPTH = 1024;

/** A message flag: do not start a provider to answer this call. */
const NO_AUTO_START = 0x2;

async function inspect(conn: DbusConnection): Promise<SecretServiceStatus> {
  const bus = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' };
  // Asked together with NameHasOwner to save a round trip, but without starting a provider: if
  // nothing owns the name it fails, and is asked again once a provider can be activated.
  const early = settle(readDefaultAlias(conn, NO_AUTO_START));
  const [owned] = await conn.call({ ...bus, member: 'NameHasOwner', signature: 's', body: [SECRETS] });
  const alias = await early;
  let collection: string;
  if (owned) {
    if (alias.status === 'rejected') throw alias.reason;
    collection = alias.value;
  } else {
    const [activatable] = await conn.call({ ...bus, member: 'ListActivatableNames' });
    if (!(activatable as string[]).includes(SECRETS)) {
      conn.close();
      return { available: false, detail: `no Secret Service provider on the session bus (nothing owns ${SECRETS})`, hint: START_HINT };
    }
    collection = await readDefaultAlias(conn, 0);
  }
  // A first ReadAlias answers '/' to a caller gnome-keyring has not registered yet (see
  // readDefaultAlias); asked again, it answers for the registered caller.
  if (collection === '/') collection = await readDefaultAlias(conn, 0);
  if (collection === '/') {
    conn.close();
    return noDefaultKeyring('the default alias names no collection');
  }
  const [locked, label] = await Promise.allSettled([collectionProperty(conn, collection, 'Locked'), collectionProperty(conn, collection, 'Label')]);
  const keyringName = label.status === 'fulfilled' ? String(label.value) : 'default';
  if (locked.status === 'rejected') {
    if (!(locked.reason instanceof DbusError)) throw locked.reason;
    conn.close();
    return noDefaultKeyring(locked.reason.message);
  }
  if (locked.value) {
    conn.close();
    return {
      available: false,
      detail: `the default keyring '${keyringName}' is locked`,
      hint: 'unlock it (log in to the desktop session, or unlock it in Seahorse), then run the command again',
      present: 'locked',
    };
  }
  return { available: true, detail: `Secret Service, keyring '${keyringName}'`, session: new SecretServiceSession(conn, collection) };
}

function noDefaultKeyring(why: string): SecretServiceStatus {
  return {
    available: false,
    detail: `the Secret Service has no default keyring (${why})`,
    hint: 'create a default keyring, e.g. with Seahorse ("Passwords and Keys"), or `gnome-keyring-daemon --unlock --components=secrets`',
    present: 'unusable',
  };
}

function settle<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return promise.then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  );
}

/**
 * The object path of the collection the `default` alias names ('/' for none). It is the first call
 * to the Secret Service on every connection: gnome-keyring (42) registers a caller on its first
 * message in a callback that, with many callers connecting at once, can run after that message's
 * handler; a first call that needs the registration (a property, OpenSession, SearchItems) then
 * aborts the daemon. ReadAlias survives it (it answers '/'), and once its answer is back the
 * caller is registered.
 */
async function readDefaultAlias(conn: DbusConnection, flags: number): Promise<string> {
  const [path] = await conn.call({
    destination: SECRETS,
    path: SERVICE_PATH,
    interface: 'org.freedesktop.Secret.Service',
    member: 'ReadAlias',
    signature: 's',
    body: ['default'],
    flags,
  });
  return path as string;
}

function collectionProperty(conn: DbusConnection, collection: string, name: string): Promise<DbusValue> {
  return getProperty(conn, collection, 'org.freedesktop.Secret.Collection', name);
}

async function getProperty(conn: DbusConnection, path: string, iface: string, name: string): Promise<DbusValue> {
  const [variant] = await conn.call({ destination: SECRETS, path, interface: PROPERTIES, member: 'Get', signature: 'ss', body: [iface, name] });
  return (variant as [string, DbusValue])[1];
}

/** An open connection to the Secret Service, for reading, writing and deleting items. */
export class SecretServiceSession {
  private transfer: Promise<{ session: string; key: TransferKey }> | undefined;

  /** `collection`: the object path of the default collection, as the probe read it. */
  constructor(
    readonly conn: DbusConnection,
    private readonly collection: string,
  ) {}

  /** Starts the key exchange now, so that it overlaps other work; reads and writes wait for it, and report its failure. */
  startKeyExchange(): void {
    this.keyExchange().catch(() => undefined);
  }

  /** The encrypted session, opened once per connection. */
  private keyExchange(): Promise<{ session: string; key: TransferKey }> {
    this.transfer ??= this.openEncryptedSession();
    return this.transfer;
  }

  /**
   * Reads an item's value over an encrypted session (opened once per connection, while the
   * item is searched for), so no secret crosses the bus in the clear.
   */
  async read(service: string, account: string): Promise<string | undefined> {
    const [[path], { session, key }] = await Promise.all([
      this.searchUnlocked([
        ['service', service],
        ['username', account],
      ]),
      this.keyExchange(),
    ]);
    if (path === undefined) return undefined;
    const [secret] = await this.conn.call({
      destination: SECRETS,
      path,
      interface: 'org.freedesktop.Secret.Item',
      member: 'GetSecret',
      signature: 'o',
      body: [session],
    });
    const [, iv, ciphertext] = secret as [string, Buffer, Buffer];
    return key.decrypt(iv, ciphertext).toString('utf8');
  }

  /**
   * Stores `value` in the default collection under the attributes `service` and `username` (as
   * keyring-rs, which wrote mcp-cli's items before, names them), replacing an item that has them.
   * Sent over the encrypted session, on this connection: no connection and key exchange per write.
   */
  async write(service: string, account: string, value: string): Promise<void> {
    const { session, key } = await this.keyExchange();
    const { iv, ciphertext } = key.encrypt(Buffer.from(value, 'utf8'));
    const properties = [
      ['org.freedesktop.Secret.Item.Label', ['s', `keyring:${account}@${service}`]],
      [
        'org.freedesktop.Secret.Item.Attributes',
        [
          'a{ss}',
          [
            ['service', service],
            ['username', account],
          ],
        ],
      ],
    ];
    const [, prompt] = await this.conn.call({
      destination: SECRETS,
      path: this.collection,
      interface: 'org.freedesktop.Secret.Collection',
      member: 'CreateItem',
      signature: 'a{sv}(oayays)b',
      body: [properties, [session, iv, ciphertext, 'text/plain'], true],
    });
    if (prompt !== '/') throw new Error('the keyring asks to be unlocked first');
  }

  /** Deletes the unlocked items with these attributes; true when there was one. */
  async remove(service: string, account: string): Promise<boolean> {
    const paths = await this.searchUnlocked([
      ['service', service],
      ['username', account],
    ]);
    for (const path of paths) {
      const [prompt] = await this.conn.call({ destination: SECRETS, path, interface: 'org.freedesktop.Secret.Item', member: 'Delete' });
      if (prompt !== '/') throw new Error('the keyring asks to be unlocked first');
    }
    return paths.length > 0;
  }

  private async openEncryptedSession(): Promise<{ session: string; key: TransferKey }> {
    const dh = startDhTransfer();
    const [output, session] = await this.conn.call({
      destination: SECRETS,
      path: SERVICE_PATH,
      interface: 'org.freedesktop.Secret.Service',
      member: 'OpenSession',
      signature: 'sv',
      body: [DH_ALGORITHM, ['ay', dh.publicValue]],
    });
    return { session: session as string, key: dh.agree((output as [string, Buffer])[1]) };
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
    // Pipelined, in batches: a bus limits the calls one connection may have awaiting replies
    // (a session bus allows 50000 by default).
    for (let i = 0; i < paths.length; i += PIPELINE_DEPTH) {
      attributes.push(
        ...(await Promise.all(paths.slice(i, i + PIPELINE_DEPTH).map((path) => getProperty(this.conn, path, 'org.freedesktop.Secret.Item', 'Attributes')))),
      );
    }
    const accounts = new Set<string>();
    for (const pairs of attributes as [string, string][][]) {
      const username = pairs.find(([k]) => k === 'username')?.[1];
      if (username !== undefined) accounts.add(username);
    }
    return accounts;
  }
}
