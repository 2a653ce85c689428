import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { Stanza, type Identity, type Recipient } from 'age-encryption';

// age's passphrase recipient (age-encryption.org/v1, "scrypt" stanza), computed with
// Node's native scrypt: the library's pure-JS scrypt takes seconds per operation.
const LABEL = 'age-encryption.org/v1/scrypt';
const MAX_LOG_N = 20;
const ZERO_NONCE = Buffer.alloc(12);

function deriveKey(passphrase: string, salt: Buffer, logN: number): Promise<Buffer> {
  const N = 2 ** logN;
  return new Promise((resolve, reject) =>
    scrypt(passphrase, Buffer.concat([Buffer.from(LABEL, 'utf8'), salt]), 32, { N, r: 8, p: 1, maxmem: 128 * N * 8 + 16 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

const b64 = (buf: Buffer) => buf.toString('base64').replace(/=+$/, '');

export class NativeScryptRecipient implements Recipient {
  constructor(
    private readonly passphrase: string,
    private readonly logN = 18,
  ) {}

  async wrapFileKey(fileKey: Uint8Array): Promise<Stanza[]> {
    const salt = randomBytes(16);
    const key = await deriveKey(this.passphrase, salt, this.logN);
    const cipher = createCipheriv('chacha20-poly1305', key, ZERO_NONCE, { authTagLength: 16 });
    const body = Buffer.concat([cipher.update(fileKey), cipher.final(), cipher.getAuthTag()]);
    return [new Stanza(['scrypt', b64(salt), String(this.logN)], body)];
  }
}

export class NativeScryptIdentity implements Identity {
  constructor(private readonly passphrase: string) {}

  async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
    const stanza = stanzas.find((s) => s.args[0] === 'scrypt');
    if (!stanza) return null;
    if (stanzas.length !== 1) throw new Error('a passphrase-encrypted file must have exactly one recipient');
    const [, saltText, logNText] = stanza.args;
    if (stanza.args.length !== 3 || !/^[1-9][0-9]*$/.test(logNText ?? '')) throw new Error('invalid scrypt stanza');
    const salt = Buffer.from(saltText!, 'base64');
    const logN = Number(logNText);
    if (salt.length !== 16 || stanza.body.length !== 32) throw new Error('invalid scrypt stanza');
    if (logN > MAX_LOG_N) throw new Error(`scrypt work factor 2^${logN} is too high`);
    const key = await deriveKey(this.passphrase, salt, logN);
    try {
      const decipher = createDecipheriv('chacha20-poly1305', key, ZERO_NONCE, { authTagLength: 16 });
      decipher.setAuthTag(stanza.body.subarray(16));
      return Buffer.concat([decipher.update(stanza.body.subarray(0, 16)), decipher.final()]);
    } catch {
      return null;
    }
  }
}
