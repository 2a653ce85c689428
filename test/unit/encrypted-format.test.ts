import { describe, expect, it } from 'vitest';
import { createKey, decryptPayload, encodeFile, parseEnvelope, unlockEnvelope } from '../../src/stores/encrypted/format.js';

// The smallest N the reader accepts keeps these tests fast; the writer's default is 2^17.
const FAST = { N: 2 ** 14, r: 8, p: 1 };

describe('encrypted file format', () => {
  it('round-trips and hides the plaintext', async () => {
    const key = await createKey('pass', FAST);
    const text = encodeFile(key, Buffer.from('SENTINEL-plaintext'));
    expect(text).not.toContain('SENTINEL');
    const env = parseEnvelope(text, 'f');
    const unlocked = await unlockEnvelope(env, 'pass', 'f');
    expect(decryptPayload(env, unlocked, 'f').toString()).toBe('SENTINEL-plaintext');
  });

  it('writes scrypt N >= 2^17, r = 8, p = 1 by default', async () => {
    const env = parseEnvelope(encodeFile(await createKey('pass'), Buffer.from('x')), 'f');
    expect(env.kdf).toMatchObject({ name: 'scrypt', N: 2 ** 17, r: 8, p: 1 });
    expect(Buffer.from(env.kdf.salt, 'base64')).toHaveLength(16);
  });

  it('uses a fresh nonce on every write', async () => {
    const key = await createKey('pass', FAST);
    const a = JSON.parse(encodeFile(key, Buffer.from('same')));
    const b = JSON.parse(encodeFile(key, Buffer.from('same')));
    expect(a.payload.nonce).not.toBe(b.payload.nonce);
    expect(a.payload.ciphertext).not.toBe(b.payload.ciphertext);
  });

  it('tells a wrong passphrase apart from corruption', async () => {
    const text = encodeFile(await createKey('right', FAST), Buffer.from('x'));
    await expect(unlockEnvelope(parseEnvelope(text, 'f'), 'wrong', 'f')).rejects.toThrow('wrong passphrase for f');
    const damaged = JSON.parse(text);
    damaged.payload.ciphertext = Buffer.from('garbage!').toString('base64');
    expect(() => parseEnvelope(JSON.stringify(damaged), 'f')).toThrow(/corrupted .*checksum mismatch/);
    expect(() => parseEnvelope(text.slice(0, text.length / 2), 'f')).toThrow(/corrupted or truncated .*not valid JSON/);
  });

  it('does not open a file whose KDF header was altered, even with a recomputed checksum', async () => {
    const key = await createKey('pass', FAST);
    const env = parseEnvelope(encodeFile(key, Buffer.from('x')), 'f');
    // Payload re-sealed under the same data key but a header claiming other parameters.
    const forged = parseEnvelope(encodeFile({ ...key, kdf: { ...key.kdf, r: 9 } }, Buffer.from('x')), 'f');
    expect(forged.key).toEqual(env.key);
    await expect(unlockEnvelope(forged, 'pass', 'f')).rejects.toThrow(/wrong passphrase/);
  });

  it('refuses KDF parameters outside the bounds before running the KDF', () => {
    const text = JSON.stringify({
      format: 'mcp-cli-tokens',
      version: 1,
      kdf: { name: 'scrypt', N: 2 ** 30, r: 8, p: 1, salt: 'AAAA' },
      key: { nonce: '', ciphertext: '', tag: '' },
      payload: { nonce: '', ciphertext: '', tag: '' },
      checksum: '',
    });
    expect(() => parseEnvelope(text, 'f')).toThrow(/outside the accepted bounds/);
    const fractional = text.replace(String(2 ** 30), '131071');
    expect(() => parseEnvelope(fractional, 'f')).toThrow(/bad scrypt parameters/);
  });

  it('names a newer format version instead of calling it corrupt', () => {
    expect(() => parseEnvelope(JSON.stringify({ format: 'mcp-cli-tokens', version: 2 }), 'f')).toThrow(/format version 2, written by a newer mcp-cli/);
  });

  it('gives every new key its own data key and salt, so no key opens a payload sealed under another', async () => {
    const before = await createKey('old', FAST);
    const after = await createKey('new', FAST);
    expect(after.dataKey.equals(before.dataKey)).toBe(false);
    expect(after.kdf.salt).not.toBe(before.kdf.salt);
    const env = parseEnvelope(encodeFile(after, Buffer.from('x')), 'f');
    await expect(unlockEnvelope(env, 'old', 'f')).rejects.toThrow(/wrong passphrase/);
    expect(() => decryptPayload(env, { ...after, dataKey: before.dataKey }, 'f')).toThrow(/payload authentication failed/);
    expect(decryptPayload(env, await unlockEnvelope(env, 'new', 'f'), 'f').toString()).toBe('x');
  });
});
