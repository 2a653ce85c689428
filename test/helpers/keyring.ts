// A private session bus and gnome-keyring for the keychain tests and benchmark: throw-away
// HOME, no service activation, never the developer's own keyring.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DbusConnection } from '../../src/stores/keychain/dbus-client.js';
import { requirePrograms } from './programs.js';

/** The programs of the private bus and keyring; throws naming the Debian packages of those missing. */
export function assertKeyringTools(): void {
  requirePrograms('dbus-daemon', 'gnome-keyring-daemon', 'secret-tool', 'dbus-monitor');
}

export interface PrivateKeyring {
  /** DBUS_SESSION_BUS_ADDRESS of the private bus. */
  address: string;
  /** Only the variables that point a process at this bus (add them to a sandbox's env). */
  env: { DBUS_SESSION_BUS_ADDRESS: string };
  /** Runs secret-tool against the private keyring; resolves with its stdout. */
  secretTool(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Locks the default keyring through the Secret Service API. */
  lock(): Promise<void>;
  /** Unlocks it again with its password, as a login would (gnome-keyring's own interface: no prompt). */
  unlock(): Promise<void>;
  /** Starts recording every message on the bus (dbus-monitor); `stop` returns the raw capture. */
  monitor(): Promise<{ stop(): Promise<Buffer> }>;
  stop(): Promise<void>;
}

const BUS_CONFIG = (socket: string) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <limit name="max_replies_per_connection">50000</limit>
  <limit name="max_connections_per_user">100000</limit>
  <limit name="max_match_rules_per_connection">50000</limit>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;

function run(command: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined); // commands that never read stdin
    child.stdin.end(input ?? '');
  });
}

const KEYRING_PASSWORD = 'test-keyring-password';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('close', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Starts dbus-daemon with a private config (no service activation) and, unless
 * `{ keyring: false }`, gnome-keyring-daemon with an unlocked default keyring; with
 * `{ defaultKeyring: false }`, the daemon has no keyring at all (nothing to unlock it with).
 */
export async function startPrivateKeyring(options: { keyring?: boolean; defaultKeyring?: boolean } = {}): Promise<PrivateKeyring> {
  assertKeyringTools();
  const home = await mkdtemp(join(tmpdir(), 'mcp-cli-keyring-'));
  const runtime = join(home, 'run');
  await mkdir(runtime, { mode: 0o700 });
  const socket = join(runtime, 'bus');
  await writeFile(join(home, 'bus.conf'), BUS_CONFIG(socket));
  const address = `unix:path=${socket}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_RUNTIME_DIR: runtime,
    DBUS_SESSION_BUS_ADDRESS: address,
  };
  const children: ChildProcess[] = [];
  // Daemons must not outlive a run that crashes before calling stop().
  const killOnExit = () => children.forEach((child) => child.kill('SIGTERM'));
  process.once('exit', killOnExit);
  let stopping = false;
  const stop = async () => {
    stopping = true;
    process.off('exit', killOnExit);
    for (const child of children.reverse()) await stopChild(child);
    await rm(home, { recursive: true, force: true });
  };
  try {
    const bus = spawn('dbus-daemon', ['--config-file', join(home, 'bus.conf'), '--nofork', '--nopidfile'], { env, stdio: 'ignore' });
    children.push(bus);
    await waitFor('the private session bus', async () => {
      const conn = await DbusConnection.open(socket, 1000);
      conn.close();
      return true;
    });
    if (options.keyring !== false) {
      const withKeyring = options.defaultKeyring !== false;
      const daemon = spawn('gnome-keyring-daemon', ['--foreground', ...(withKeyring ? ['--unlock'] : []), '--components=secrets'], {
        env,
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      children.push(daemon);
      // A daemon that exits while tests still use it says why on the test run's stderr.
      let said = '';
      daemon.stderr!.on('data', (chunk: Buffer) => (said = (said + chunk.toString()).slice(-2000)));
      daemon.once('exit', (code, signal) => {
        if (!stopping) process.stderr.write(`gnome-keyring-daemon exited early (code ${code}, signal ${signal}): ${said.trim() || 'it said nothing'}\n`);
      });
      daemon.stdin!.end(withKeyring ? KEYRING_PASSWORD : '');
      await waitFor('gnome-keyring-daemon on the private bus', async () => {
        const conn = await DbusConnection.open(socket, 1000);
        try {
          if (!withKeyring) {
            const [owned] = await conn.call({
              destination: 'org.freedesktop.DBus',
              path: '/org/freedesktop/DBus',
              interface: 'org.freedesktop.DBus',
              member: 'NameHasOwner',
              signature: 's',
              body: ['org.freedesktop.secrets'],
            });
            return owned === true;
          }
          const [variant] = await conn.call({
            destination: 'org.freedesktop.secrets',
            path: '/org/freedesktop/secrets/aliases/default',
            interface: 'org.freedesktop.DBus.Properties',
            member: 'Get',
            signature: 'ss',
            body: ['org.freedesktop.Secret.Collection', 'Locked'],
          });
          return (variant as [string, boolean])[1] === false;
        } finally {
          conn.close();
        }
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    address,
    env: { DBUS_SESSION_BUS_ADDRESS: address },
    secretTool: (args, input) => run('secret-tool', args, env, input),
    async lock() {
      const conn = await DbusConnection.open(socket, 2000);
      try {
        const [path] = await conn.call({
          destination: 'org.freedesktop.secrets',
          path: '/org/freedesktop/secrets',
          interface: 'org.freedesktop.Secret.Service',
          member: 'ReadAlias',
          signature: 's',
          body: ['default'],
        });
        await conn.call({
          destination: 'org.freedesktop.secrets',
          path: '/org/freedesktop/secrets',
          interface: 'org.freedesktop.Secret.Service',
          member: 'Lock',
          signature: 'ao',
          body: [[path as string]],
        });
      } finally {
        conn.close();
      }
    },
    async unlock() {
      const conn = await DbusConnection.open(socket, 2000);
      const service = { destination: 'org.freedesktop.secrets', path: '/org/freedesktop/secrets' };
      try {
        // ReadAlias first: gnome-keyring may abort on a first call that needs the caller registered (see readDefaultAlias in src).
        const [path] = await conn.call({ ...service, interface: 'org.freedesktop.Secret.Service', member: 'ReadAlias', signature: 's', body: ['default'] });
        const [, session] = await conn.call({
          ...service,
          interface: 'org.freedesktop.Secret.Service',
          member: 'OpenSession',
          signature: 'sv',
          body: ['plain', ['s', '']],
        });
        await conn.call({
          ...service,
          interface: 'org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface',
          member: 'UnlockWithMasterPassword',
          signature: 'o(oayays)',
          body: [path as string, [session as string, Buffer.alloc(0), Buffer.from(KEYRING_PASSWORD), 'text/plain']],
        });
      } finally {
        conn.close();
      }
    },
    async monitor() {
      const child = spawn('dbus-monitor', ['--address', address, '--pcap'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
      children.push(child);
      const chunks: Buffer[] = [];
      child.stdout!.on('data', (d: Buffer) => chunks.push(d));
      // A call made now shows up in the capture once the monitor has recorded everything sent before it
      // (the bus delivers to the monitor in order): at the start, recording has begun; at the stop, it is complete.
      const caughtUp = (when: string) => {
        const marker = `org.mcpcli.monitor${process.pid}x${Date.now()}${when}`;
        return waitFor(`dbus-monitor to record (${when})`, async () => {
          const conn = await DbusConnection.open(socket, 1000);
          try {
            await conn.call({
              destination: 'org.freedesktop.DBus',
              path: '/org/freedesktop/DBus',
              interface: 'org.freedesktop.DBus',
              member: 'NameHasOwner',
              signature: 's',
              body: [marker],
            });
          } finally {
            conn.close();
          }
          return Buffer.concat(chunks).includes(marker);
        });
      };
      await caughtUp('start');
      return {
        async stop() {
          await caughtUp('stop');
          await stopChild(child);
          return Buffer.concat(chunks);
        },
      };
    },
    stop,
  };
}
