// The Secret Service's encrypted transfer (dh-ietf1024-sha256-aes128-cbc-pkcs7), checked with
// Node playing the service's side from the specification alone: the RFC 2409 group written out,
// HKDF computed by hand from HMAC (itself checked against RFC 5869's test vector), AES-128-CBC.
import {
  createCipheriv,
  createDecipheriv,
  createDiffieHellman,
  createHmac,
  generateKeyPairSync,
  getDiffieHellman,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dhSpki, splitDhSpki, startDhTransfer } from '../../src/stores/keychain/dh-transfer.js';

// RFC 2409 section 6.2, the Second Oakley Group: 2^1024 - 2^960 - 1 + 2^64 * { [2^894 pi] + 129093 }, generator 2.
const RFC2409_PRIME = Buffer.from(
  (
    'FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1 29024E08 8A67CC74 020BBEA6 3B139B22 514A0879 8E3404DD ' +
    'EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245 E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED ' +
    'EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE65381 FFFFFFFF FFFFFFFF'
  ).replace(/\s/g, ''),
  'hex',
);

/** RFC 5869 HKDF-SHA256 with an empty salt and info, from HMAC alone. */
function hkdf16(ikm: Buffer, length = 16): Buffer {
  const prk = createHmac('sha256', Buffer.alloc(32)).update(ikm).digest();
  let block = Buffer.alloc(0);
  const out: Buffer[] = [];
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    block = createHmac('sha256', prk)
      .update(Buffer.concat([block, Buffer.from([i])]))
      .digest();
    out.push(block);
  }
  return Buffer.concat(out).subarray(0, length);
}

// One group object for every exchange: building one checks the prime, which is slow.
const group = createDiffieHellman(RFC2409_PRIME, 2);

/** The service's side: a fresh key pair in the group, the shared secret (as long as the prime), the AES key. */
function service(clientPublic: Buffer) {
  group.setPrivateKey(randomBytes(32));
  const publicValue = group.generateKeys();
  const secret = group.computeSecret(clientPublic);
  const key = hkdf16(secret);
  const encrypt = (plaintext: Buffer) => {
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-128-cbc', key, iv);
    return { iv, ciphertext: Buffer.concat([cipher.update(plaintext), cipher.final()]) };
  };
  const decrypt = (iv: Buffer, ciphertext: Buffer) => {
    const decipher = createDecipheriv('aes-128-cbc', key, iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  };
  return { publicValue, secret, encrypt, decrypt };
}

describe('the Secret Service transfer encryption', () => {
  it('HKDF from HMAC matches RFC 5869 test case 3 (SHA-256, no salt, no info)', () => {
    expect(hkdf16(Buffer.alloc(22, 0x0b), 42).toString('hex')).toBe('8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8');
  });

  it("uses the RFC 2409 1024-bit group, as Node's modp2", () => {
    expect(getDiffieHellman('modp2').getPrime().equals(RFC2409_PRIME)).toBe(true);
    expect(startDhTransfer().publicValue.length).toBeLessThanOrEqual(128);
  });

  it('decrypts what a service following the specification encrypted, for many exchanges', () => {
    for (let i = 0; i < 20; i++) {
      const transfer = startDhTransfer();
      const peer = service(transfer.publicValue);
      const plaintext = Buffer.from(`SENTINEL secret #${i} ${'x'.repeat(i * 7)} 🔑`, 'utf8');
      const { iv, ciphertext } = peer.encrypt(plaintext);
      expect(transfer.agree(peer.publicValue).decrypt(iv, ciphertext).equals(plaintext)).toBe(true);
    }
  });

  it('encrypts what such a service decrypts, under a new IV each time', () => {
    const transfer = startDhTransfer();
    const peer = service(transfer.publicValue);
    const key = transfer.agree(peer.publicValue);
    const plaintext = Buffer.from('SENTINEL sent to the keyring 🔐', 'utf8');
    const first = key.encrypt(plaintext);
    const second = key.encrypt(plaintext);
    expect(peer.decrypt(first.iv, first.ciphertext).equals(plaintext)).toBe(true);
    expect(first.iv.length).toBe(16);
    expect(first.iv.equals(second.iv)).toBe(false);
    expect(first.ciphertext.includes(Buffer.from('SENTINEL'))).toBe(false);
  });

  it('pads a shared secret that starts with zero bytes to the prime length, as the service does', () => {
    const transfer = startDhTransfer();
    let peer = service(transfer.publicValue);
    for (let tries = 0; peer.secret[0] !== 0; tries++) {
      if (tries > 5000) throw new Error('no shared secret with a leading zero byte in 5000 tries');
      peer = service(transfer.publicValue);
    }
    expect(peer.secret.length).toBe(128);
    const { iv, ciphertext } = peer.encrypt(Buffer.from('padded'));
    expect(transfer.agree(peer.publicValue).decrypt(iv, ciphertext).toString()).toBe('padded');
  });

  it('refuses a public value longer than the prime, or empty', () => {
    const transfer = startDhTransfer();
    expect(() => transfer.agree(Buffer.alloc(129, 1))).toThrow(/public value of 129 bytes/);
    expect(() => transfer.agree(Buffer.alloc(0))).toThrow(/public value of 0 bytes/);
  });

  it('takes a public key apart and puts it back together byte for byte', () => {
    const { publicKey } = generateKeyPairSync('dh' as never, { group: 'modp2' } as never) as unknown as { publicKey: KeyObject };
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    const { algorithm, publicValue } = splitDhSpki(spki);
    expect(publicValue[0]).not.toBe(0);
    expect(dhSpki(algorithm, publicValue).equals(spki)).toBe(true);
    expect(dhSpki(algorithm, Buffer.concat([Buffer.alloc(3), publicValue])).equals(spki)).toBe(true);
  });
});
