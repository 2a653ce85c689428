import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { EncryptedFileStore } from '../../src/stores/encrypted/store.js';
import { fallbackNoticeMarker, withFallbackNotice } from '../../src/stores/fallback-notice.js';
import { writeQuickTokenFile } from '../helpers/seed-store.js';

function stream(isTTY: boolean): Writable & { text: string; isTTY: boolean } {
  const s = new Writable({
    write(chunk, _e, cb) {
      s.text += String(chunk);
      cb();
    },
  }) as Writable & { text: string; isTTY: boolean };
  s.text = '';
  s.isTTY = isTTY;
  return s;
}

const token = (name: string) => ({
  metadata: { name, namespace: 'bearer', type: 'bearer' as const, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', details: {} },
  secret: { token: 'SENTINEL-value' },
});

describe('the automatic fallback notice', () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'mcp-cli-notice-'));
    await writeQuickTokenFile(join(home, 'tokens.enc'), 'pw');
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  const open = (stderr: Writable) =>
    withFallbackNotice(
      new EncryptedFileStore(join(home, 'tokens.enc'), { get: async () => 'pw' }, '~/tokens.enc'),
      ['secret-service: the default keyring is locked'],
      {
        env: { HOME: home, XDG_STATE_HOME: join(home, 'state') },
        stderr,
      },
    );

  it('is shown on the first write on a terminal only, across processes', async () => {
    const first = stream(true);
    await open(first).put(token('a'));
    expect(first.text).toContain('no OS keychain is reachable, so tokens are stored in the encrypted file ~/tokens.enc');
    expect(first.text).toContain('secret-service: the default keyring is locked');
    expect(first.text).not.toContain('SENTINEL');
    expect(existsSync(fallbackNoticeMarker({ HOME: home, XDG_STATE_HOME: join(home, 'state') }))).toBe(true);

    const second = stream(true); // a new store, as in the next command
    await open(second).put(token('b'));
    expect(second.text).toBe('');
  });

  it('is not shown when stderr is not a terminal, and then still counts as not shown', async () => {
    const piped = stream(false);
    await open(piped).put(token('a'));
    expect(piped.text).toBe('');
    const tty = stream(true);
    await open(tty).put(token('b'));
    expect(tty.text).toContain('no OS keychain is reachable');
  });
});
