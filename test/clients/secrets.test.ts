// What counts as a plaintext secret in a client's config, and what does not: by key name and by
// shape, with few false positives (URLs, paths, booleans, numbers, placeholders, references).
import { describe, expect, it } from 'vitest';
import { findByShape, findInArgs, findInHeader, findInKeyed, findInText, findInUrl, kindOfKey, maskedHint } from '../../src/clients/secrets.js';

const whole = (value: string) => [{ start: 0, end: value.length }];
const spans = (matches: { start: number; end: number }[]) => matches.map(({ start, end }) => ({ start, end }));

describe('by key name', () => {
  it.each([
    ['OPENAI_API_KEY', 'api-key'],
    ['apiKey', 'api-key'],
    ['X-Api-Key', 'api-key'],
    ['apikey', 'api-key'],
    ['GITHUB_PERSONAL_ACCESS_TOKEN', 'bearer'],
    ['accessToken', 'bearer'],
    ['Authorization', 'bearer'],
    ['DB_PASSWORD', 'generic'],
    ['CLIENT_SECRET', 'generic'],
    ['clientsecret', 'generic'],
  ])('%s names a secret (%s)', (key, kind) => {
    expect(kindOfKey(key)).toBe(kind);
  });

  it.each(['KEYBOARD_LAYOUT', 'MONKEY', 'TURKEY_MODE', 'LOG_LEVEL', 'DEBUG', 'AUTH_TYPE', 'TOKENIZER'])('%s names none', (key) => {
    expect(kindOfKey(key)).toBeUndefined();
  });

  it.each([
    ['API_KEY', 'a1b2c3d4e5f6'],
    ['DB_PASSWORD', 'hunter2!'],
    ['SLACK_BOT_TOKEN', 'xoxb-123-456-abcdef'],
  ])('%s=%s is a secret, the whole value', (key, value) => {
    expect(spans(findInKeyed(key, value))).toEqual(whole(value));
  });

  it.each([
    ['MAX_TOKENS', '4096'],
    ['TOKEN_URL', 'https://auth.example.com/token'],
    ['KEY_FILE', '/home/me/.ssh/id_ed25519'],
    ['KEY_PATH', '~/keys/server.pem'],
    ['KEY_PATH', 'C:\\keys\\server.pem'],
    ['USE_API_KEY', 'true'],
    ['API_KEY', '<your-api-key>'],
    ['API_KEY', 'YOUR_API_KEY'],
    ['API_KEY', 'xxxxxxxx'],
    ['API_KEY', 'changeme'],
    ['API_KEY', '${OPENAI_API_KEY}'],
    ['API_KEY', '${env:OPENAI_API_KEY}'],
    ['API_KEY', ''],
    ['TOKEN_DESCRIPTION', 'the token for the staging server'],
  ])('%s=%s is not a secret', (key, value) => {
    expect(findInKeyed(key, value)).toEqual([]);
  });
});

describe('by shape, under any key', () => {
  it.each([
    ['sk-proj-abcdefghijklmnopqrstuvwx', 'api-key', 'openai'],
    ['sk-ant-api03-abcdefghijklmnopqrstuvwxyz', 'api-key', 'anthropic'],
    [`ghp_${'a1B2'.repeat(9)}`, 'bearer', undefined],
    [`github_pat_${'A1b2C3d4E5'.repeat(3)}`, 'bearer', undefined],
    ['xoxb-1234567890-abcdefghij', 'bearer', undefined],
    ['xoxp-1234567890-abcdefghij', 'bearer', undefined],
    ['AKIAIOSFODNN7EXAMPLE', 'api-key', undefined],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'bearer', undefined],
    ['Zq8Kx3mN7pR2vT9wB4yL6cF1hJ5sD0gA', 'generic', undefined],
  ])('%s', (value, kind, provider) => {
    const [match, ...more] = findInKeyed('VALUE', value);
    expect(more).toEqual([]);
    expect(match).toMatchObject({ start: 0, end: value.length, kind, by: 'shape' });
    expect(match!.provider).toBe(provider);
  });

  it.each([
    'https://mcp.example.com/v1/mcp',
    '/usr/local/lib/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js',
    '@modelcontextprotocol/server-github',
    'true',
    '8080',
    'da39a3ee5e6b4b0d3255bfef95601890afd80709', // a SHA-1 (hex)
    '123e4567-e89b-12d3-a456-426614174000', // a UUID
    'task-runner-for-the-desk-assistant',
    'ThisIsALongCamelCaseIdentifierWithoutDigits',
    'sk-short',
  ])('%s is not a secret', (value) => {
    expect(findByShape(value)).toEqual([]);
  });

  it('finds a key inside a longer string', () => {
    const value = 'prefix sk-abcdefghijklmnopqrstuvwxyz suffix';
    expect(spans(findByShape(value))).toEqual([{ start: 7, end: 7 + 'sk-abcdefghijklmnopqrstuvwxyz'.length }]);
  });
});

describe('headers, arguments and URLs', () => {
  it('Authorization: the credentials after the scheme are a bearer token', () => {
    expect(findInHeader('Authorization', 'Bearer abcdef123456')).toEqual([{ start: 7, end: 19, kind: 'bearer', by: 'name', label: 'Authorization header' }]);
    expect(spans(findInHeader('authorization', 'token abcdef123456'))).toEqual([{ start: 6, end: 18 }]);
    expect(findInHeader('Authorization', 'Bearer ${input:token}')).toEqual([]);
    expect(spans(findInHeader('X-API-Key', 'abcdef123456'))).toEqual(whole('abcdef123456'));
    expect(findInHeader('Accept', 'application/json')).toEqual([]);
  });

  it('--flag=VALUE and --flag VALUE by the flag name; shapes anywhere; other arguments left alone', () => {
    const args = ['-y', 'server', '--api-key=abcdef123456', '--token', 'zyxwvu987654', '--port', '3000', 'xoxb-1234567890-abcdefghij', '--verbose'];
    const found = findInArgs(args);
    expect([...found.keys()]).toEqual([2, 4, 7]);
    expect(spans(found.get(2)!)).toEqual([{ start: '--api-key='.length, end: args[2]!.length }]);
    expect(spans(found.get(4)!)).toEqual(whole(args[4]!));
    expect(found.get(7)![0]!.by).toBe('shape');
    expect(findInArgs(['--token', '--verbose']).size).toBe(0);
  });

  it('URLs: a password in the user info and secret-named query parameters; the rest of a URL is not a secret', () => {
    const url = 'https://me:p4ssw0rd@mcp.example.com/mcp?api_key=abc123def456&region=eu&token=${TOKEN}';
    const found = findInUrl(url);
    expect(found.map((m) => url.slice(m.start, m.end))).toEqual(['p4ssw0rd', 'abc123def456']);
    expect(findInUrl('https://mcp.example.com/mcp?page=2')).toEqual([]);
  });
});

describe('credentials that used to slip through', () => {
  const found = (matches: { start: number; end: number }[], value: string) => matches.map((m) => value.slice(m.start, m.end));

  it.each([
    ['postgresql://admin:pw@db.internal:5432/app', 'pw'],
    ['postgres://app:s3cr%40t@db/app?sslmode=require', 's3cr%40t'],
    ['mysql://root:hunter2@127.0.0.1:3306/shop', 'hunter2'],
    ['mongodb+srv://app:Zx9-pass@cluster0.example.net/db?retryWrites=true', 'Zx9-pass'],
    ['redis://:cachepw@cache:6379/0', 'cachepw'],
    ['rediss://default:p@ss:w0rd@cache.example.com:6380', 'p@ss:w0rd'],
    ['amqp://guest:rabbit-pw@mq.internal:5672/', 'rabbit-pw'],
  ])('the password of a connection string, whatever the key: %s', (value, password) => {
    for (const key of ['DATABASE_URL', 'MONGODB_URI', 'CONNECTION', 'dsn']) expect(found(findInKeyed(key, value), value)).toEqual([password]);
    expect(found(findByShape(`--db=${value}`), `--db=${value}`)).toEqual([password]);
  });

  it.each(['postgresql://admin@db/app', 'postgresql://admin:${DB_PASSWORD}@db/app', 'postgres://user:<password>@localhost/db', 'https://mcp.example.com/mcp'])(
    'no password in %s',
    (value) => {
      expect(findInKeyed('DATABASE_URL', value)).toEqual([]);
    },
  );

  it('an AWS secret access key that starts with "/", not taken for a path', () => {
    const key = '/wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    expect(found(findInKeyed('AWS_SECRET_ACCESS_KEY', key), key)).toEqual([key]);
    expect(findInKeyed('KEY_FILE', '/home/me/.ssh/id_ed25519')).toEqual([]);
    expect(findInKeyed('AWS_SHARED_CREDENTIALS_FILE', '/home/me/.aws/credentials')).toEqual([]);
    expect(findInKeyed('SECRETS_DIR', '/run/secrets')).toEqual([]);
  });

  it('a password that reads like a placeholder but is not one, or holds spaces', () => {
    expect(found(findInKeyed('DB_PASSWORD', 'my_Passw0rd!2024'), 'my_Passw0rd!2024')).toEqual(['my_Passw0rd!2024']);
    expect(found(findInKeyed('SMTP_PASSWORD', 'correct horse battery staple'), 'correct horse battery staple')).toEqual(['correct horse battery staple']);
    expect(found(findInKeyed('PASSPHRASE', ' two words '), ' two words ')).toEqual(['two words']);
    for (const placeholder of ['my-api-key', 'your_token_here', 'YOUR_API_KEY', 'insert-key-here', '<your password>'])
      expect(findInKeyed('API_KEY', placeholder), placeholder).toEqual([]);
    expect(findInKeyed('TOKEN_DESCRIPTION', 'the token for the staging server')).toEqual([]);
  });

  it('Bearer and Basic credentials in any value (an AUTH_HEADER variable for mcp-remote)', () => {
    const value = 'Bearer abcdef123456xyz';
    expect(found(findInKeyed('AUTH_HEADER', value), value)).toEqual(['abcdef123456xyz']);
    expect(findInKeyed('AUTH_HEADER', 'Bearer ${TOKEN}')).toEqual([]);
    expect(findInKeyed('NOTE', 'Bearer of bad news')).toEqual([]);
  });

  it('comments: secret shapes and NAME=value pairs, not prose', () => {
    const said = (text: string) => found(findInText(text), text);
    expect(said('// old key: sk-abcdefghijklmnopqrstuvwx')).toEqual(['sk-abcdefghijklmnopqrstuvwx']);
    expect(said('/* API_KEY=a1b2c3d4e5 */')).toEqual(['a1b2c3d4e5']);
    expect(said('// "DB_PASSWORD": "hunter22"')).toEqual(['hunter22']);
    expect(said('# was: postgres://u:s3cret@db/x')).toEqual(['s3cret']);
    // The name of a pair right after another pair's name; the value alone looks like no secret.
    expect(said('# old: api_key = "abcdef0123-a1"')).toEqual(['abcdef0123-a1']);
    for (const prose of [
      '// password: required',
      '// API key: get one at https://example.com/keys',
      '// token: ${GITHUB_TOKEN}',
      '# For information on how to configure Zed, see the Zed documentation.',
    ])
      expect(findInText(prose), prose).toEqual([]);
  });

  it('mcp-remote --header arguments: the credentials of the header, not a reference to a variable', () => {
    const args = ['-y', 'mcp-remote', 'https://mcp.example.com/mcp', '--header', 'Authorization: Bearer abcdef123456', '--header', 'X-Api-Key:k3y-abcdef12'];
    const matches = findInArgs(args);
    expect([...matches.keys()]).toEqual([4, 6]);
    expect(found(matches.get(4)!, args[4]!)).toEqual(['abcdef123456']);
    expect(matches.get(4)![0]).toMatchObject({ kind: 'bearer', label: 'Authorization header' });
    expect(found(matches.get(6)!, args[6]!)).toEqual(['k3y-abcdef12']);
    expect(findInArgs(['mcp-remote', 'https://x/mcp', '--header', 'Authorization:${AUTH_HEADER}']).size).toBe(0);
    expect(findInArgs(['mcp-remote', 'https://x/mcp', '--header', 'Authorization: Bearer ${AUTH_TOKEN}']).size).toBe(0);
    const inline = ['--header=Authorization: Bearer abcdef123456'];
    expect(found(findInArgs(inline).get(0)!, inline[0]!)).toEqual(['abcdef123456']);
  });
});

describe('the masked hint', () => {
  it('shows at most the first 3 and last 4 characters, and only of long values', () => {
    expect(maskedHint('sk-abcdefghijklmnopqrst9f2c')).toBe('sk-…9f2c');
    expect(maskedHint('short-secret-value')).toBe('…');
  });
});
