// The everyday flags of the token commands: type choices, options refused for types they do not
// apply to, --value-file, --json on the commands that change tokens, -q, and values refused for headers.
import { execFileSync, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/cli.js';

const SECRET = 'flags-SENTINEL-91d2';
let sb: Sandbox;
beforeEach(async () => {
  sb = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted', MCP_CLI_ENCRYPTION_KEY: 'test-passphrase' }, { inProcess: true });
});
afterEach(() => sb.cleanup());

const ok = async (args: string[], input?: string) => {
  const r = await sb.run(args, input !== undefined ? { input } : {});
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout + r.stderr).not.toContain(SECRET);
  return r;
};
const fails = async (args: string[], input?: string) => {
  const r = await sb.run(args, input !== undefined ? { input } : {});
  expect(r.code).toBe(1);
  expect(r.stdout + r.stderr).not.toContain(SECRET);
  return r;
};
const names = async () => (await ok(['token', 'list', '--json'])).stdout;

describe('token set: types and the options that go with them', () => {
  it('an unknown --type lists the types set can store, without oauth; --type oauth says how OAuth tokens are stored', async () => {
    const typo = await fails(['token', 'set', 'x', '--type', 'bearr'], SECRET);
    expect(typo.stderr).toContain('unknown token type "bearr"');
    expect(typo.stderr).toContain('choose one of: bearer, api-key, basic, generic, client-cert');
    expect(typo.stderr).not.toMatch(/choose one of:.*oauth/);
    const oauth = await fails(['token', 'set', 'x', '--type', 'oauth'], SECRET);
    expect(oauth.stderr).toContain('OAuth tokens are stored by logging in');
  });

  it('a token looked for in the wrong namespace: the error says where one of that name is, and the hint the option that finds it', async () => {
    await ok(['token', 'set', 'openai', '--type', 'api-key', '--value', SECRET]);
    const r = await sb.spawn(['token', 'get', 'openai', '--namespace', 'bearer', '--show-value']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("token 'openai' not found in namespace 'bearer'; a token of that name is in namespace 'api-key'");
    expect(r.stderr).toContain('hint: use --namespace api-key');
  });

  it.each(['oauth', 'OAuth', 'oauth-client'])(
    'refuses --namespace %s, where logins live: nothing stored, token get --oauth still finds none',
    async (namespace) => {
      const r = await fails(['token', 'set', 'notion', '--type', 'bearer', '--namespace', namespace], SECRET);
      expect(r.stderr).toContain(`namespace '${namespace}' holds OAuth logins`);
      expect(r.stderr).toContain('only `mcp-cli auth login` stores');
      expect(r.stderr).toContain('hint: store it in its own namespace (mcp-cli token set notion --type bearer)');
      expect(await names()).toBe('[]\n');
      const oauth = await sb.run(['token', 'get', 'notion', '--oauth']);
      expect(oauth.code).toBe(1);
      expect(oauth.stderr).toContain("not found in namespace 'oauth'");
    },
  );

  it.each([
    [['--type', 'generic', '--username', 'alice'], '--username does not apply to --type generic (it goes with basic)'],
    [['--type', 'bearer', '--organization', 'org-1'], '--organization does not apply to --type bearer (it goes with api-key)'],
    [['--type', 'basic', '--username', 'a', '--project', 'p'], '--project does not apply to --type basic (it goes with api-key)'],
    [['--type', 'api-key', '--cert', 'c.pem'], '--cert does not apply to --type api-key (it goes with client-cert)'],
    [['--type', 'client-cert', '--cert', 'c.pem', '--key', 'k.pem', '--value', 'v'], '--value does not apply to --type client-cert'],
  ])('refuses %j rather than dropping it', async (flags, message) => {
    const r = await fails(['token', 'set', 'x', ...flags], SECRET);
    expect(r.stderr).toContain(message);
    expect(await names()).toBe('[]\n');
  });

  it('names a client-cert file that cannot be read in words, without an errno', async () => {
    const r = await fails(['token', 'set', 'corp', '--type', 'client-cert', '--cert', '/nonexistent/c.pem', '--key', '/nonexistent/k.pem']);
    expect(r.stderr).toMatch(/cannot read the --(cert|key) file \/nonexistent\/[ck]\.pem: no such file or directory/);
    expect(r.stderr).not.toContain('ENOENT');
  });
});

describe('values that go into HTTP headers', () => {
  it.each([
    ['a line break', `${SECRET}\nsecond-line`, 'a line break'],
    ['a carriage return', `${SECRET}\r`, 'a line break'],
    ['an escape', `${SECRET}\u001b[2J`, 'a control character (U+001B)'],
  ])('set refuses a bearer token or API key with %s, and stores nothing', async (_what, value, said) => {
    for (const type of ['bearer', 'api-key']) {
      const r = await fails(['token', 'set', 'x', '--type', type, '--value', '-'], value);
      expect(r.stderr).toContain(`the value holds ${said}; a ${type} token goes into an HTTP header`);
    }
    expect(await names()).toBe('[]\n');
  });

  it('a generic token may hold several lines', async () => {
    await ok(['token', 'set', 'pem', '--type', 'generic', '--value', '-'], `${SECRET}\nline two`);
    expect((await sb.run(['token', 'get', 'pem', '--show-value'])).stdout).toBe(`${SECRET}\nline two\n`);
  });

  it('rotate refuses one too, and keeps the old value', async () => {
    await ok(['token', 'set', 'api', '--value', '-'], SECRET);
    const r = await fails(['token', 'rotate', 'api', '--value', '-'], 'new\nvalue');
    expect(r.stderr).toContain('a line break; a bearer token goes into an HTTP header');
    expect((await sb.run(['token', 'get', 'api', '--show-value'])).stdout).toBe(`${SECRET}\n`);
  });
});

describe('--value-file', () => {
  it('set and rotate read the value from a file, one final newline dropped', async () => {
    const file = join(sb.home, 'value.txt');
    await writeFile(file, `${SECRET}-1\n`);
    await ok(['token', 'set', 'f', '--value-file', file]);
    expect((await sb.run(['token', 'get', 'f', '--show-value'])).stdout).toBe(`${SECRET}-1\n`);
    await writeFile(file, `${SECRET}-2`);
    await ok(['token', 'rotate', 'f', '--value-file', 'value.txt']);
    expect((await sb.run(['token', 'get', 'f', '--show-value'])).stdout).toBe(`${SECRET}-2\n`);
  });

  it('a missing or empty file, or --value beside it, is an error that stores nothing', async () => {
    const missing = await fails(['token', 'set', 'f', '--value-file', 'nope.txt']);
    expect(missing.stderr).toContain('cannot read the --value-file nope.txt: no such file or directory');
    await writeFile(join(sb.home, 'empty.txt'), '\n');
    expect((await fails(['token', 'set', 'f', '--value-file', 'empty.txt'])).stderr).toContain('the --value-file empty.txt is empty');
    expect((await fails(['token', 'set', 'f', '--value-file', 'empty.txt', '--value', 'x'])).stderr).toContain('either --value or --value-file, not both');
    expect(await names()).toBe('[]\n');
  });

  it('an endless or too large file, or bytes that are not UTF-8, are refused and store nothing; a FIFO is read', async () => {
    expect((await fails(['token', 'set', 'f', '--value-file', '/dev/zero'])).stderr).toContain('the --value-file /dev/zero is larger than 1 MiB');
    await writeFile(join(sb.home, 'latin1.txt'), Buffer.from([0x73, 0x65, 0x63, 0xe9, 0x74]));
    expect((await fails(['token', 'set', 'f', '--value-file', 'latin1.txt'])).stderr).toContain('the --value-file latin1.txt is not UTF-8 text');
    expect(await names()).toBe('[]\n');
    const fifo = join(sb.home, 'value.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `printf '%s\\n' '${SECRET}-fifo' > '${fifo}'`]);
    const written = new Promise((resolve) => writer.once('exit', resolve));
    await ok(['token', 'set', 'fifo', '--value-file', fifo]);
    expect(await written).toBe(0);
    expect((await sb.run(['token', 'get', 'fifo', '--show-value'])).stdout).toBe(`${SECRET}-fifo\n`);
    await ok(['token', 'delete', 'fifo']);
  });

  it('--value @file stays the literal text', async () => {
    await ok(['token', 'set', 'at', '--value', '@file']);
    expect((await sb.run(['token', 'get', 'at', '--show-value'])).stdout).toBe('@file\n');
  });
});

describe('--json and -q on the commands that change tokens', () => {
  const json = (text: string) => JSON.parse(text) as { action: string; backend: string; tokens: { name: string; namespace: string; type: string }[] };
  const brief = (text: string) => {
    const j = json(text);
    return [j.action, j.backend, j.tokens.map((t) => `${t.namespace}:${t.name}:${t.type}`)];
  };

  it('set, rotate, delete and clear print what they changed, and no confirmation', async () => {
    const set = await ok(['token', 'set', 'a', '--json', '--value', '-'], SECRET);
    expect(brief(set.stdout)).toEqual(['stored', 'encrypted', ['bearer:a:bearer']]);
    expect(set.stderr).toBe('');
    expect(brief((await ok(['token', 'set', 'a', '--json', '--value', '-'], SECRET)).stdout)).toEqual(['updated', 'encrypted', ['bearer:a:bearer']]);
    const rotated = await ok(['token', 'rotate', 'a', '--json', '--value', '-', '--expires', '30d'], `${SECRET}-2`);
    expect(brief(rotated.stdout)).toEqual(['rotated', 'encrypted', ['bearer:a:bearer']]);
    expect(json(rotated.stdout).tokens[0]).toHaveProperty('expiresAt');
    await ok(['token', 'set', 'k', '--type', 'api-key', '--value', '-'], SECRET);
    expect(brief((await ok(['token', 'delete', 'a', '--json'])).stdout)).toEqual(['deleted', 'encrypted', ['bearer:a:bearer']]);
    expect(brief((await ok(['token', 'clear', '--force', '--json'])).stdout)).toEqual(['deleted', 'encrypted', ['api-key:k:api-key']]);
    expect(brief((await ok(['token', 'clear', '--force', '--json'])).stdout)).toEqual(['deleted', 'encrypted', []]);
  });

  it('-q silences the confirmations, not the warnings', async () => {
    const quiet = await ok(['-q', 'token', 'set', 'q', '--value', '-', '--expires', '2020-01-01'], SECRET);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).not.toContain('Stored');
    expect(quiet.stderr).toContain('expired at 2020-01-01');
    expect((await ok(['token', 'delete', 'q', '--quiet'])).stderr).toBe('');
  });
});

describe('reading and listing', () => {
  it('--show-value --json prints {"value": ...}', async () => {
    await ok(['token', 'set', 'v', '--value', '-'], SECRET);
    const r = await sb.run(['token', 'get', 'v', '--show-value', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ value: SECRET });
  });

  it('token list --type filters by type, as set spells it', async () => {
    await ok(['token', 'set', 'b', '--value', '-'], SECRET);
    await ok(['token', 'set', 'k', '--type', 'api_key', '--value', '-'], SECRET);
    const listed = async (...flags: string[]) =>
      (JSON.parse((await ok(['token', 'list', '--json', ...flags])).stdout) as { name: string }[]).map((t) => t.name);
    expect(await listed('--type', 'bearer')).toEqual(['b']);
    expect(await listed('--type', 'apikey')).toEqual(['k']);
    expect(await listed('--type', 'oauth')).toEqual([]);
    expect((await fails(['token', 'list', '--type', 'nope'])).stderr).toContain('unknown token type "nope"');
    expect((await fails(['token', 'list', '--type', 'bearer', '--api-keys'])).stderr).toContain('either --type or the type switches');
  });

  it('storing a token that has already expired warns, and still stores it', async () => {
    const r = await ok(['token', 'set', 'old', '--value', '-', '--expires', '2020-01-01'], SECRET);
    expect(r.stderr).toContain("! token 'old' in namespace 'bearer' expired at 2020-01-01T00:00:00.000Z: it is stored, but servers and `run` will refuse it");
    expect(r.stderr).toContain("Stored bearer token 'old'");
    const fresh = await ok(['token', 'set', 'new', '--value', '-', '--expires', '3d'], SECRET);
    expect(fresh.stderr).not.toContain('expired');
    expect((await ok(['token', 'rotate', 'new', '--value', '-', '--expires', '2020-01-01'], SECRET)).stderr).toContain(
      "token 'new' in namespace 'bearer' expired at",
    );
  });

  it('an --expires day that does not exist, or past 9999-12-31, is refused by name and stores nothing', async () => {
    const feb30 = await fails(['token', 'set', 'feb', '--value', '-', '--expires', '2027-02-30'], SECRET);
    expect(feb30.stderr).toContain('invalid --expires "2027-02-30": February 2027 has 28 days');
    const far = await fails(['token', 'set', 'far', '--value', '-', '--expires', '99999999d'], SECRET);
    expect(far.stderr).toContain('invalid --expires "99999999d": it ends after 9999-12-31, the latest expiry mcp-cli stores');
    expect(far.stderr).not.toContain('Invalid time value');
    expect(JSON.parse(await names())).toEqual([]);
    await ok(['token', 'set', 'kept', '--value', '-'], SECRET);
    const rotate = await fails(['token', 'rotate', 'kept', '--value', '-', '--expires', '2027-04-31'], `${SECRET}-2`);
    expect(rotate.stderr).toContain('invalid --expires "2027-04-31": April 2027 has 30 days');
    expect((await sb.run(['token', 'get', 'kept', '--show-value'])).stdout.trim()).toBe(SECRET);
    const since = await fails(['token', 'audit', '--since', '2027-02-29']);
    expect(since.stderr).toContain('invalid --since "2027-02-29": February 2027 has 28 days');
  });

  it('clear with nothing to clear says so plainly', async () => {
    expect((await ok(['token', 'clear', '--force'])).stderr).toBe('Nothing to clear: no tokens (encrypted backend).\n');
    expect((await ok(['token', 'clear', '--namespace', 'team'])).stderr).toBe("Nothing to clear: no tokens in namespace 'team' (encrypted backend).\n");
  });
});
