import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, type Transform } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programEnvironment } from '../../src/commands/exec.js';
import { CREDENTIAL_VARIABLES } from '../../src/credential-variables.js';
import { childEnvironment } from '../../src/mcp/child-env.js';
import { locateConfig } from '../../src/config/locate.js';
import { parseTemplate, renderSegments } from '../../src/config/references.js';
import { expandEarlier, parseEnvFile, parseEnvOption } from '../../src/exec/env-file.js';
import { ByteMasker, maskingByteStream } from '../../src/masking/byte-stream.js';
import { maskingLineStream } from '../../src/masking/line-stream.js';
import { createMasker } from '../../src/masking/masker.js';
import { SecretSet } from '../../src/masking/secret-set.js';
import { spellings } from '../../src/masking/spellings.js';
import { canOpenBrowser } from '../../src/oauth/browser.js';
import { exitStatus } from '../../src/run/child.js';
import { readLines } from '../../src/run/lines.js';

const SECRET = 'sk-unit-SENTINEL-77';

/** Writes the chunks through a transform and collects everything it gives out. */
async function through(stream: Transform, chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  stream.on('data', (d: Buffer) => out.push(d));
  const ended = new Promise((resolve) => stream.once('end', resolve));
  for (const c of chunks) stream.write(c);
  stream.end();
  await ended;
  return Buffer.concat(out);
}

/** Cuts a buffer at the given offsets (sorted, deduplicated, inside it). */
function cut(data: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (data.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(data.subarray(from, p));
    from = p;
  }
  chunks.push(data.subarray(from));
  return chunks.filter((c) => c.length > 0);
}

describe('masking JSON-RPC messages', () => {
  const masker = createMasker(new SecretSet([SECRET, 'pa"ss\\wörd']));

  it('passes a line without secrets as the very same bytes, escapes and all', () => {
    const line = Buffer.from('{"jsonrpc":"2.0","id":1,"result":{"text":"a \\"quoted\\" \\u00e9 word"}}');
    expect(masker.line(line)).toBe(line);
  });

  it('masks secrets in nested strings, keys and numbers, also when JSON escapes spell them', () => {
    const pin = createMasker(new SecretSet(['12345678']));
    expect(pin.json({ code: 12345678 })).toEqual({ code: '<redacted>' });
    const message = { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: `key=${SECRET}` }], [SECRET]: 1, other: 'pa"ss\\wörd' } };
    const escaped = JSON.stringify(message).replace('ö', '\\u00f6');
    const masked = JSON.parse(masker.line(Buffer.from(escaped)).toString('utf8'));
    expect(masked).toEqual({ jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'key=<redacted>' }], '<redacted>': 1, other: '<redacted>' } });
  });

  it('masks a line that is not JSON as text, and leaves objects without secrets untouched', () => {
    expect(masker.line(Buffer.from(`oops ${SECRET}`)).toString()).toBe('oops <redacted>');
    const value = { a: [1, { b: 'c' }] };
    expect(masker.json(value)).toBe(value);
  });

  it('does nothing with --no-masking or without secrets', () => {
    const line = Buffer.from(`{"text":"${SECRET}"}`);
    expect(createMasker(new SecretSet([SECRET]), false).line(line)).toBe(line);
    expect(createMasker(new SecretSet()).active).toBe(false);
  });

  it('masks a secret added after it was made (an access token sent later)', () => {
    const secrets = new SecretSet();
    const later = createMasker(secrets);
    expect(later.text(`Bearer ${SECRET}`)).toBe(`Bearer ${SECRET}`);
    secrets.add(SECRET);
    expect(later.active).toBe(true);
    expect(later.text(`Bearer ${SECRET}`)).toBe('Bearer <redacted>');
  });

  it('masks both parts of a secret cut across text items, and a piece of 8 characters or more at the edge of a text', () => {
    const message = {
      content: [
        { type: 'text', text: `a ${SECRET.slice(0, 3)}` },
        { type: 'text', text: `${SECRET.slice(3)} b` },
      ],
    };
    expect(masker.json(message)).toEqual({
      content: [
        { type: 'text', text: 'a <redacted>' },
        { type: 'text', text: '<redacted> b' },
      ],
    });
    expect(masker.text(`log ${SECRET.slice(0, 8)}`)).toBe('log <redacted>');
    expect(masker.text(`log ${SECRET.slice(0, 7)}`)).toBe(`log ${SECRET.slice(0, 7)}`);
    expect(masker.text(`${SECRET.slice(-8)} end`)).toBe('<redacted> end');
  });

  it('rewrites a line whose duplicate key hides the secret from JSON.parse, and serializes any depth', () => {
    for (const first of [JSON.stringify(SECRET), `"${[...SECRET].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`]) {
      expect(masker.line(Buffer.from(`{"data":${first},"data":"x"}`)).toString()).toBe('{"data":"x"}');
    }
    const depth = 50_000;
    let deep: unknown = `v ${SECRET}`;
    for (let i = 0; i < depth; i++) deep = [deep];
    expect(masker.serialize(deep)).toBe(`${'['.repeat(depth)}"v <redacted>"${']'.repeat(depth)}`);
  });

  it('as a stream: any chunking gives the same output, unmasked lines keep their bytes, CRLF is kept', async () => {
    const lines = [
      '{"jsonrpc":"2.0","id":1,"result":{}}\n',
      `{"jsonrpc":"2.0","method":"notifications/message","params":{"data":"${SECRET}"}}\r\n`,
      '{"jsonrpc":"2.0","id":3,"result":{"t":"\\u00e9"}}\n',
    ];
    const whole = Buffer.concat([...lines.map((l) => Buffer.from(l)), Buffer.from([0xff, 0xfe, 0x0a])]);
    const expected = Buffer.concat([
      Buffer.from(lines[0]!),
      Buffer.from('{"jsonrpc":"2.0","method":"notifications/message","params":{"data":"<redacted>"}}\r\n'),
      Buffer.from(lines[2]!),
      Buffer.from([0xff, 0xfe, 0x0a]),
    ]);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 8 }), async (offsets) => {
        expect(await through(maskingLineStream(masker), cut(whole, offsets))).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('masks the rest of a line past its limit as bytes, a secret across the limit included', async () => {
    const line = Buffer.from(`{"data":"${'x'.repeat(40)}${SECRET}"}\n`);
    const out = await through(maskingLineStream(masker, 45), cut(line, [20, 47, 52]));
    expect(out.toString()).toBe(`{"data":"${'x'.repeat(40)}<redacted>"}\n`);
  });
});

describe('the spellings of a secret', () => {
  const secret = 'mk SENTINEL/+é=&:9f';
  const found = (text: string) => spellings(secret).some((s) => text.includes(s));

  it('URL, form and base64(url) encodings, whole and at any offset inside a longer base64 text', () => {
    for (const text of [
      encodeURIComponent(secret),
      encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      new URLSearchParams({ v: secret }).toString().slice(2),
    ])
      expect(found(text)).toBe(true);
    for (const before of ['', 'a', 'ab', 'user:', 'Bearer ']) {
      expect(found(Buffer.from(`${before}${secret}!`).toString('base64'))).toBe(true);
      expect(found(Buffer.from(`${before}${secret}!`).toString('base64url'))).toBe(true);
    }
    expect(found(Buffer.from('an ordinary text of some length').toString('base64'))).toBe(false);
  });

  it('leaves out ${VAR} values shorter than 8 characters and masks a variable only whole', () => {
    const set = new SecretSet([], ['short', 'long-variable-value']);
    expect(set.patterns().list.map((p) => p.text)).not.toContain('short');
    const masker = createMasker(set);
    expect(masker.text('x long-variable-value y')).toBe('x <redacted> y');
    expect(masker.text('x long-variab')).toBe('x long-variab');
  });
});

describe('masking a byte stream (exec, stderr)', () => {
  const stream = (secrets: string[]) => maskingByteStream(new SecretSet(secrets));

  it('replaces secrets split across chunks, keeps binary bytes, and prefers the longer secret', async () => {
    // Every byte value, in an order that spells none of the secrets.
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
    const data = Buffer.concat([binary, Buffer.from(`x${SECRET}y abcdef abc`), binary]);
    const expected = Buffer.concat([binary, Buffer.from('x<redacted>y <redacted> <redacted>'), binary]);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 10 }), async (offsets) => {
        expect(await through(stream([SECRET, 'abc', 'abcdef']), cut(data, offsets))).toEqual(expected);
      }),
      { numRuns: 80 },
    );
  });

  it('any secrets, any data, any chunking: the streamed result equals masking it whole', async () => {
    // Three letters that "<redacted>" does not contain, so that a secret left in the output is one that was missed.
    const bytes = fc.uint8Array({ minLength: 0, maxLength: 60 }).map((a) => Buffer.from(a.map((b) => 120 + (b % 3))));
    await fc.assert(
      fc.asyncProperty(
        bytes,
        fc.array(fc.string({ unit: fc.constantFrom('x', 'y', 'z'), minLength: 2, maxLength: 12 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (data, secrets, offsets) => {
          const whole = await through(stream(secrets), [data]);
          expect(await through(stream(secrets), cut(data, offsets))).toEqual(whole);
          for (const s of secrets) expect(whole.includes(Buffer.from(s))).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('holds a tail that may begin a secret however long the pause, and lets it out at the end unless it is 8 bytes of one', async () => {
    const masker = new ByteMasker(new SecretSet([SECRET]));
    expect(masker.write(Buffer.from('Password for sk-')).toString()).toBe('Password for ');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(masker.write(Buffer.from(`${SECRET.slice(3)} ok`)).toString()).toBe('<redacted> ok');
    expect(masker.write(Buffer.from('short sk-')).toString()).toBe('short ');
    expect(masker.end().toString()).toBe('sk-');
    expect(masker.write(Buffer.from(`cut ${SECRET.slice(0, 10)}`)).toString()).toBe('cut ');
    expect(masker.end().toString()).toBe('<redacted>');
  });
});

describe('env files', () => {
  it('reads NAME=VALUE lines: comments, blanks, export, quotes, escapes, multi-line values', () => {
    const text = [
      '\uFEFF# a comment',
      '',
      '   # an indented comment',
      'export API_KEY=${TOKEN:api-key:openai}',
      'PLAIN = hello world   # trailing comment',
      'HASH=#not-a-comment',
      'EMPTY=',
      'DOUBLE="line1\\nline2 \\"q\\" \\\\ \\x ${HOME}"  # comment',
      "SINGLE='${NOT_EXPANDED} \\n'",
      'MULTI="-----BEGIN KEY-----',
      'abc',
      '-----END KEY-----"',
      'CRLF=value\r',
      'PLAIN=later wins',
    ].join('\n');
    const parsed = parseEnvFile(text, '.env');
    const byName = Object.fromEntries(parsed.map((a) => [a.name, a]));
    expect(parsed.map((a) => a.name)).toEqual(['API_KEY', 'PLAIN', 'HASH', 'EMPTY', 'DOUBLE', 'SINGLE', 'MULTI', 'CRLF', 'PLAIN']);
    expect(byName.API_KEY).toEqual({ name: 'API_KEY', template: '${TOKEN:api-key:openai}', origin: '.env:4' });
    expect(parsed[1]!.template).toBe('hello world');
    expect(byName.PLAIN!.template).toBe('later wins');
    expect(byName.HASH!.template).toBe('#not-a-comment');
    expect(byName.EMPTY!.template).toBe('');
    expect(byName.DOUBLE!.template).toBe('line1\nline2 "q" \\ \\x ${HOME}');
    // Single quotes: literal, so the template yields the text itself.
    expect(parseTemplate(byName.SINGLE!.template)).toEqual([{ kind: 'text', text: '${NOT_EXPANDED} \\n' }]);
    expect(byName.MULTI!.template).toBe('-----BEGIN KEY-----\nabc\n-----END KEY-----');
    expect(byName.MULTI!.origin).toBe('.env:10');
    expect(byName.CRLF!.template).toBe('value');
  });

  it.each([
    ['no equals sign', 'A=1\nghp_SENTINELtoken123\n', '.env:2: expected NAME=VALUE (there is no "=" on this line)'],
    ['a bad name', '1BAD=x', '.env:1: the name before "=" must be'],
    ['a dash in the name', 'MY-VAR=x', '.env:1: the name before "="'],
    ['an unclosed quote', 'A=1\nB="SENTINEL-value\nC=2', '.env:2: the double quote that opens the value of B is never closed'],
    ['text after the closing quote', "A='x' SENTINEL", '.env:1: unexpected text after the closing quote of the value of A'],
    ['a line of words', 'this is not it', '.env:1: expected NAME=VALUE'],
  ])('names the line of %s, never a value', (_what, text, message) => {
    expect(() => parseEnvFile(text, '.env')).toThrow(message);
    try {
      parseEnvFile(text, '.env');
    } catch (error) {
      expect((error as Error).message).not.toContain('SENTINEL');
    }
  });

  it('a value names what an earlier line set (dotenv style), the environment for anything else', () => {
    const text = [
      'X="a b"',
      'Y=${X}',
      'Z=${Y}-${X:-unused}-${LATER}-$${X}',
      'PATH=${PATH}:/opt/bin',
      "LIT='${X} stays'",
      'FROM_LIT=${LIT}',
      'KEY=${TOKEN:api-key:openai}',
      'AUTH="Bearer ${KEY}"',
      'EMPTY=',
      'DEFAULTED=${EMPTY:-fallback}',
      'DOLLAR=a$',
      'JOINED=${DOLLAR}{X}',
      'VAULT_TOKEN=${TOKEN:bearer:vault}',
      'LEAK=${VAULT_TOKEN}',
      'LATER=now',
    ].join('\n');
    const expanded = Object.fromEntries(expandEarlier(parseEnvFile(text, '.env')).map((a) => [a.name, a.template]));
    const value = (name: string) => renderSegments(parseTemplate(expanded[name]!), (ref) => (ref.kind === 'token' ? `<${ref.name}>` : `<env ${ref.variable}>`));
    expect(value('Y')).toBe('a b');
    expect(value('Z')).toBe('a b-a b-<env LATER>-${X}');
    // Its own name on its first line: the environment's (PATH=${PATH}:... works as in a shell).
    expect(value('PATH')).toBe('<env PATH>:/opt/bin');
    expect(value('FROM_LIT')).toBe('${X} stays');
    // A token reference travels as a reference: resolved, and masked, like any other.
    expect(expanded.AUTH).toBe('Bearer ${TOKEN:api-key:openai}');
    expect(value('DEFAULTED')).toBe('fallback');
    // A literal "$" before a literal "{" does not turn into a reference.
    expect(value('JOINED')).toBe('a${X}');
    // mcp-cli's own credential variables are never taken from an earlier line: the reference stays, to be refused.
    expect(expanded.LEAK).toBe('${VAULT_TOKEN}');
    // --env assignments come after the files, and see them too.
    const withOption = expandEarlier([...parseEnvFile('X=1', '.env'), parseEnvOption('Y=${X}2', 0)]);
    expect(withOption[1]!.template).toBe('12');
  });

  it('--env NAME=VALUE, and errors that do not quote what may be a secret', () => {
    expect(parseEnvOption('A=b=c', 0)).toEqual({ name: 'A', template: 'b=c', origin: '--env' });
    expect(parseEnvOption('EMPTY=', 0).template).toBe('');
    expect(() => parseEnvOption('ghp_SENTINEL123', 0)).toThrow('--env argument 1: expected NAME=VALUE (there is no "=")');
    expect(() => parseEnvOption('ghp_SENTINEL123', 0)).not.toThrow('SENTINEL');
    expect(() => parseEnvOption(SECRET, 1)).toThrow('--env argument 2: expected NAME=VALUE');
    expect(() => parseEnvOption(`${SECRET}=x`, 0)).toThrow(/^--env argument 1: the name/);
  });
});

describe('what run and exec decide by themselves', () => {
  it.each([
    [{}, 'linux', false],
    [{ DISPLAY: ':0' }, 'linux', true],
    [{ WAYLAND_DISPLAY: 'wayland-0' }, 'freebsd', true],
    [{ BROWSER: 'firefox' }, 'linux', true],
    [{ MCP_CLI_BROWSER: 'open -a Safari', SSH_CONNECTION: '1 2 3 4' }, 'darwin', true],
    [{}, 'darwin', true],
    [{ SSH_CONNECTION: '10.0.0.1 5 10.0.0.2 22' }, 'darwin', false],
    [{ SSH_TTY: '/dev/pts/1' }, 'win32', false],
    [{}, 'win32', true],
    [{ BROWSER: '  ' }, 'linux', false],
  ] as const)('a browser can be opened with %j on %s: %s', (env, platform, expected) => {
    expect(canOpenBrowser(env, platform)).toBe(expected);
  });

  it('exit status: the code, or 128 + the signal number', () => {
    expect(exitStatus(3, null)).toBe(3);
    expect(exitStatus(null, 'SIGTERM')).toBe(143);
    expect(exitStatus(null, 'SIGKILL')).toBe(137);
    expect(exitStatus(null, 'SIGHUP')).toBe(129);
  });

  it("exec's program inherits everything but mcp-cli's own credentials, and is marked as exec's", () => {
    const parent = {
      PATH: '/bin',
      HOME: '/h',
      MCP_CLI_ENCRYPTION_KEY: 'pw',
      MCP_CLI_NEW_ENCRYPTION_KEY: 'pw2',
      MCP_CLI_EXPORT_PASSPHRASE: 'pw3',
      VAULT_TOKEN: 'hvs.x',
      VAULT_SECRET_ID: 'secret-id',
      VAULT_ROLE: 'ci',
      VAULT_ADDR: 'https://v',
      MCP_CLI_CONFIG: '/c.json',
    };
    expect(programEnvironment(parent, { API_KEY: 'k', VAULT_TOKEN: 'given' })).toEqual({
      PATH: '/bin',
      HOME: '/h',
      VAULT_ROLE: 'ci',
      VAULT_ADDR: 'https://v',
      MCP_CLI_CONFIG: '/c.json',
      API_KEY: 'k',
      VAULT_TOKEN: 'given',
      MCP_CLI_STARTED_BY: 'exec',
    });
    expect(Object.keys(CREDENTIAL_VARIABLES)).toEqual([
      'MCP_CLI_ENCRYPTION_KEY',
      'MCP_CLI_NEW_ENCRYPTION_KEY',
      'MCP_CLI_EXPORT_PASSPHRASE',
      'VAULT_TOKEN',
      'VAULT_SECRET_ID',
    ]);
    // The mark that keeps the program away from the unlock session is not the program's to choose.
    expect(programEnvironment({}, { MCP_CLI_STARTED_BY: '' }).MCP_CLI_STARTED_BY).toBe('exec');
  });

  it('a stdio server gets the minimal environment, its own env, and the mark that keeps it away from the unlock session', () => {
    const env = childEnvironment(
      { PATH: '/bin', HOME: '/h', XDG_RUNTIME_DIR: '/run/user/1', MCP_CLI_ENCRYPTION_KEY: 'pw' },
      { API_KEY: 'k', MCP_CLI_STARTED_BY: '' },
    );
    expect(env).toEqual({ PATH: '/bin', HOME: '/h', API_KEY: 'k', MCP_CLI_STARTED_BY: 'server' });
  });

  it('reads lines of the client: split anywhere, CRLF, blank lines, a last line without newline', async () => {
    const lines: string[] = [];
    const input = new PassThrough();
    const ended = new Promise<void>((resolve) => readLines(input, (l) => lines.push(l.toString()), resolve));
    for (const piece of ['{"a":', '1}\r\n\n  \n{"b"', ':2}\n{"c":3}']) input.write(piece);
    input.end();
    await ended;
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
    const stop = readLines(
      Readable.from([]),
      () => undefined,
      () => undefined,
    );
    stop();
  });
});

describe('where run looks for its config', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-cli-locate-'));
    await mkdir(join(dir, 'config', 'mcp-cli'), { recursive: true });
    await mkdir(join(dir, 'project'));
    await writeFile(join(dir, 'project', 'server_config.json'), '{}');
    await writeFile(join(dir, 'config', 'mcp-cli', 'server_config.json'), '{}');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('never the working directory with workingDirectory: false; --config and MCP_CLI_CONFIG still count', () => {
    const env = { XDG_CONFIG_HOME: join(dir, 'config') };
    const cwd = join(dir, 'project');
    expect(locateConfig({ env, cwd })?.path).toBe(join(cwd, 'server_config.json'));
    expect(locateConfig({ env, cwd, workingDirectory: false })).toEqual({
      path: join(dir, 'config', 'mcp-cli', 'server_config.json'),
      source: 'the config directory',
    });
    expect(locateConfig({ env: { ...env, MCP_CLI_CONFIG: 'server_config.json' }, cwd, workingDirectory: false })?.source).toBe('MCP_CLI_CONFIG');
    expect(locateConfig({ flag: './server_config.json', env, cwd, workingDirectory: false })?.path).toBe(join(cwd, 'server_config.json'));
  });
});
