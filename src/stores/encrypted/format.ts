import { createCipheriv, createDecipheriv, createHash, randomBytes, scrypt as scryptCallback } from 'node:crypto';
import { StoreError } from '../errors.js';

/**
 * The tokens.enc format, version 1 (documented in docs/encrypted-file.md):
 * a JSON envelope holding a random 256-bit data key wrapped with AES-256-GCM under a
 * key derived from the passphrase with scrypt, and the payload encrypted with
 * AES-256-GCM under the data key. The header (format, version, KDF parameters, salt)
 * is bound into both ciphertexts as additional authenticated data.
 */
export const FORMAT_NAME = 'mcp-cli-tokens';
export const FORMAT_VERSION = 1;

export interface KdfParams {
  name: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
}

export const DEFAULT_KDF = { N: 2 ** 17, r: 8, p: 1 } as const;

// Bounds for parameters read from a file: a crafted file must not make us allocate
// gigabytes or spin for minutes. The defaults sit inside them.
const KDF_BOUNDS = { minLogN: 14, maxLogN: 20, maxR: 16, maxP: 4, maxMemBytes: 512 * 1024 * 1024 };

interface Sealed {
  nonce: string;
  ciphertext: string;
  tag: string;
}

interface Envelope {
  format: string;
  version: number;
  kdf: KdfParams;
  key: Sealed;
  payload: Sealed;
  checksum: string;
}

/** What stays the same between writes: re-used so each write costs no KDF run. */
export interface UnlockedKey {
  kdf: KdfParams;
  wrappedKey: Sealed;
  dataKey: Buffer;
}

const b64 = (buf: Buffer) => buf.toString('base64');

function headerAad(kdf: KdfParams): Buffer {
  return Buffer.from(`${FORMAT_NAME}|v${FORMAT_VERSION}|scrypt|N=${kdf.N}|r=${kdf.r}|p=${kdf.p}|salt=${kdf.salt}`, 'utf8');
}

function payloadAad(kdf: KdfParams, key: Sealed): Buffer {
  return Buffer.concat([headerAad(kdf), Buffer.from(`|${key.nonce}|${key.ciphertext}|${key.tag}`, 'utf8')]);
}

function checksumOf(kdf: KdfParams, key: Sealed, payload: Sealed): string {
  return createHash('sha256').update(payloadAad(kdf, key)).update(`|${payload.nonce}|${payload.ciphertext}|${payload.tag}`).digest('hex');
}

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { nonce: b64(nonce), ciphertext: b64(ciphertext), tag: b64(cipher.getAuthTag()) };
}

/** Returns undefined when authentication fails. */
function open(key: Buffer, sealed: Sealed, aad: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.nonce, 'base64'));
    decipher.setAAD(aad);
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
  } catch {
    return undefined;
  }
}

// The slow part of every unlock. A process that opens the same file through several stores (token
// migrate, the in-process command tests) derives each key once; the keys stay in this process only.
const derived = new Map<string, Promise<Buffer>>();

export function deriveKey(passphrase: string, kdf: KdfParams): Promise<Buffer> {
  const id = createHash('sha256')
    .update(JSON.stringify([passphrase.normalize('NFC'), kdf.salt, kdf.N, kdf.r, kdf.p]))
    .digest('hex');
  let key = derived.get(id);
  if (!key) {
    const maxmem = 128 * kdf.N * kdf.r * kdf.p + 16 * 1024 * 1024;
    key = new Promise<Buffer>((resolve, reject) =>
      scryptCallback(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem }, (error, result) =>
        error ? reject(error) : resolve(result),
      ),
    );
    derived.set(id, key);
    key.catch(() => derived.delete(id));
  }
  return key;
}

/** A new random data key, wrapped under a key derived from `passphrase` with a new random salt. */
export async function createKey(passphrase: string, params: { N: number; r: number; p: number } = DEFAULT_KDF): Promise<UnlockedKey> {
  const kdf: KdfParams = { name: 'scrypt', ...params, salt: b64(randomBytes(16)) };
  const dataKey = randomBytes(32);
  const kek = await deriveKey(passphrase, kdf);
  return { kdf, dataKey, wrappedKey: seal(kek, dataKey, headerAad(kdf)) };
}

export function encodeFile(unlocked: UnlockedKey, plaintext: Buffer): string {
  const payload = seal(unlocked.dataKey, plaintext, payloadAad(unlocked.kdf, unlocked.wrappedKey));
  const envelope: Envelope = {
    format: FORMAT_NAME,
    version: FORMAT_VERSION,
    kdf: unlocked.kdf,
    key: unlocked.wrappedKey,
    payload,
    checksum: checksumOf(unlocked.kdf, unlocked.wrappedKey, payload),
  };
  return JSON.stringify(envelope, null, 2) + '\n';
}

const isSealed = (v: unknown): v is Sealed =>
  typeof v === 'object' && v !== null && ['nonce', 'ciphertext', 'tag'].every((k) => typeof (v as Record<string, unknown>)[k] === 'string');

/** Parses and checks the envelope without a passphrase. Throws a `corrupt` StoreError naming what is wrong. */
export function parseEnvelope(text: string, fileLabel: string): Envelope {
  const corrupt = (why: string) =>
    new StoreError('corrupt', `${fileLabel} is corrupted or truncated (${why}); it was left untouched`, {
      backend: 'encrypted',
      remedy: 'restore it from a backup, or move it aside to start a new store',
    });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw corrupt('not valid JSON');
  }
  if (typeof data !== 'object' || data === null) throw corrupt('not an object');
  const env = data as Partial<Envelope>;
  if (env.format !== FORMAT_NAME) throw corrupt('not an mcp-cli token file');
  if (typeof env.version !== 'number') throw corrupt('no format version');
  if (env.version > FORMAT_VERSION)
    throw new StoreError(
      'corrupt',
      `${fileLabel} uses format version ${env.version}, written by a newer mcp-cli; this version reads format ${FORMAT_VERSION}`,
      {
        backend: 'encrypted',
        remedy: 'upgrade mcp-cli to read it; the file was left untouched',
      },
    );
  if (env.version !== FORMAT_VERSION) throw corrupt(`unknown format version ${env.version}`);
  const kdf = env.kdf;
  if (!kdf || kdf.name !== 'scrypt' || typeof kdf.salt !== 'string') throw corrupt('bad key derivation header');
  checkKdfBounds(kdf, corrupt);
  if (!isSealed(env.key) || !isSealed(env.payload) || typeof env.checksum !== 'string') throw corrupt('missing fields');
  if (checksumOf(kdf, env.key, env.payload) !== env.checksum) throw corrupt('checksum mismatch');
  return env as Envelope;
}

function checkKdfBounds(kdf: KdfParams, corrupt: (why: string) => Error): void {
  const { N, r, p } = kdf;
  const ints = [N, r, p].every((n) => Number.isSafeInteger(n) && n > 0);
  const logN = Math.log2(N);
  if (!ints || !Number.isInteger(logN)) throw corrupt('bad scrypt parameters');
  if (logN < KDF_BOUNDS.minLogN || logN > KDF_BOUNDS.maxLogN || r > KDF_BOUNDS.maxR || p > KDF_BOUNDS.maxP || 128 * N * r * p > KDF_BOUNDS.maxMemBytes)
    throw corrupt(`scrypt parameters N=${N} r=${r} p=${p} are outside the accepted bounds`);
}

/** Unwraps the data key; throws a wrong-passphrase error when the passphrase does not fit. */
export async function unlockEnvelope(envelope: Envelope, passphrase: string, fileLabel: string): Promise<UnlockedKey> {
  const kek = await deriveKey(passphrase, envelope.kdf);
  const dataKey = open(kek, envelope.key, headerAad(envelope.kdf));
  if (!dataKey) throw new StoreError('wrong-passphrase', `wrong passphrase for ${fileLabel}`, { backend: 'encrypted' });
  return { kdf: envelope.kdf, wrappedKey: envelope.key, dataKey };
}

/** True when `unlocked` can open `envelope` without a KDF run (same salt and wrapped key). */
export function sameKey(unlocked: UnlockedKey, envelope: Envelope): boolean {
  return unlocked.kdf.salt === envelope.kdf.salt && unlocked.wrappedKey.ciphertext === envelope.key.ciphertext;
}

export function decryptPayload(envelope: Envelope, unlocked: UnlockedKey, fileLabel: string): Buffer {
  const plaintext = open(unlocked.dataKey, envelope.payload, payloadAad(envelope.kdf, envelope.key));
  if (!plaintext)
    throw new StoreError('corrupt', `${fileLabel} is corrupted (payload authentication failed); it was left untouched`, {
      backend: 'encrypted',
      remedy: 'restore it from a backup',
    });
  return plaintext;
}

export type { Envelope };

/**
 * Names one version of one file's key: its canonical path, salt and wrapped data key. An
 * unlock session holds a data key under this name, so it opens only that file, and only until
 * the passphrase is changed (a new salt and wrapped key make a new name).
 */
export function keyIdentity(path: string, kdf: KdfParams, wrappedKey: Sealed): string {
  return createHash('sha256')
    .update(`mcp-cli-key-identity|v1|${path}|${kdf.salt}|${wrappedKey.nonce}|${wrappedKey.ciphertext}|${wrappedKey.tag}`)
    .digest('hex');
}
