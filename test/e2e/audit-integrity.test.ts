// `token audit --verify` through the CLI's command table (in-process), the log anchored in the encrypted file:
// each way of removing entries without the store is detected; the untouched log verifies.
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/cli.js';

const SECRET = 'SENTINEL-audit-8d21';
const GENESIS = '0'.repeat(64);

let sb: Sandbox;
let log: string;
let pristine: { log: string; head: string };

async function verify() {
  return sb.run(['token', 'audit', '--verify']);
}

beforeAll(async () => {
  sb = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'audit words', MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true });
  log = join(sb.env.XDG_STATE_HOME!, 'mcp-cli', 'audit.log');
  for (const args of [
    ['token', 'set', 'one', '--value', `${SECRET}-1`],
    ['token', 'set', 'two', '--value', `${SECRET}-2`],
    ['token', 'get', 'one', '--show-value'],
    ['token', 'get', 'two', '--show-value'],
    ['token', 'delete', 'one'],
  ])
    expect((await sb.run(args)).code).toBe(0);
  pristine = { log: join(sb.home, 'pristine.log'), head: join(sb.home, 'pristine.head') };
  await copyFile(log, pristine.log);
  await copyFile(`${log}.head`, pristine.head);
});
afterAll(() => sb.cleanup());

beforeEach(async () => {
  await copyFile(pristine.log, log);
  await copyFile(pristine.head, `${log}.head`);
});

const lines = async () => (await readFile(pristine.log, 'utf8')).trim().split('\n');

describe('token audit --verify against the anchor', () => {
  it('passes on the untouched log of five entries, and names where it checked', async () => {
    expect(await lines()).toHaveLength(5);
    const r = await verify();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('audit log intact: 5 entries in 1 file');
    expect(r.stderr).toContain('checked against its anchor in the encrypted backend');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it.each([
    [
      'cut to its first 2 of 5 lines',
      async () => writeFile(log, (await lines()).slice(0, 2).join('\n') + '\n'),
      'entries 3 to 5 are missing from the end (of 5): the log ends at entry 2',
    ],
    [
      'its first line deleted',
      async () => writeFile(log, (await lines()).slice(1).join('\n') + '\n'),
      'entry 1 is missing from the start: the log begins at entry 2',
    ],
    ['emptied', async () => writeFile(log, ''), 'is empty, but its head record names entries 1 to 5: all of them are missing'],
    ['deleted', async () => rm(log), 'does not exist, but its head record names entries 1 to 5: all of them are missing'],
    ['deleted with its head record', async () => Promise.all([rm(log), rm(`${log}.head`)]), 'and its head record are gone, though the encrypted backend'],
    [
      'replaced by a freshly built one-line chain',
      async () =>
        writeFile(
          log,
          JSON.stringify({
            time: new Date().toISOString(),
            action: 'created',
            namespace: 'bearer',
            name: 'x',
            backend: 'encrypted',
            pid: 1,
            user: 'u',
            prev: GENESIS,
          }) + '\n',
        ),
      'the log does not begin with the entry its head record names',
    ],
  ])('fails when the log was %s, naming what is missing', async (_label, tamper, message) => {
    await tamper();
    const r = await verify();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('audit log verification failed: ');
    expect(r.stderr).toContain(message);
  });

  it('keeps the evidence of a cut once later commands have written more entries', async () => {
    await writeFile(log, (await lines()).slice(0, 2).join('\n') + '\n');
    expect((await sb.run(['token', 'get', 'two', '--show-value'])).code).toBe(0);
    const r = await verify();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('entries 3 to 5 are missing');
    const alerts = JSON.parse((await sb.run(['token', 'audit', '--json', '--action', 'alert'])).stdout) as { detail: { problem: string } }[];
    expect(alerts.map((a) => a.detail.problem)).toEqual(['the log ended at entry 2, but its head record said entry 5']);
  });
});
