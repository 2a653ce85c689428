import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyPairKeyObjectResult,
} from 'node:crypto';

/**
 * The Secret Service's encrypted transfer, `dh-ietf1024-sha256-aes128-cbc-pkcs7`: a Diffie-Hellman
 * exchange in the 1024-bit MODP group of RFC 2409 (Node's `modp2`), HKDF-SHA256 of the shared
 * secret (no salt, no info) to a 16-byte key, then AES-128-CBC with PKCS#7 padding per secret.
 */
export const DH_ALGORITHM = 'dh-ietf1024-sha256-aes128-cbc-pkcs7';

const PRIME_BYTES = 128;

export interface DhTransfer {
  /** Our public value, big-endian, for OpenSession's input. */
  publicValue: Buffer;
  /** The AES key agreed with the service, from its public value (OpenSession's output). */
  agree(servicePublicValue: Buffer): TransferKey;
}

export interface TransferKey {
  decrypt(iv: Buffer, ciphertext: Buffer): Buffer;
  /** Under a fresh random IV, as the service expects a secret sent to it. */
  encrypt(plaintext: Buffer): { iv: Buffer; ciphertext: Buffer };
}

// Node supports 'dh' key pairs of a named group; @types/node does not declare that overload.
const generateDhKeyPair = generateKeyPairSync as unknown as (type: 'dh', options: { group: string }) => KeyPairKeyObjectResult;

// A key pair of a named group, not getDiffieHellman('modp2'): that one re-checks the prime on
// every call, which costs tens of milliseconds.
export function startDhTransfer(): DhTransfer {
  const { publicKey, privateKey } = generateDhKeyPair('dh', { group: 'modp2' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const { algorithm, publicValue } = splitDhSpki(spki);
  return {
    publicValue,
    agree(servicePublicValue) {
      if (servicePublicValue.length === 0 || servicePublicValue.length > PRIME_BYTES)
        throw new Error(`the Secret Service sent a public value of ${servicePublicValue.length} bytes`);
      const peer = createPublicKey({ key: dhSpki(algorithm, servicePublicValue), format: 'der', type: 'spki' });
      // Node gives the shared secret as long as the prime, leading zeros kept, as the service computes it.
      const key = hkdfSync('sha256', diffieHellman({ privateKey, publicKey: peer }), Buffer.alloc(0), Buffer.alloc(0), 16);
      return {
        decrypt(iv, ciphertext) {
          const decipher = createDecipheriv('aes-128-cbc', Buffer.from(key), iv);
          return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
        },
        encrypt(plaintext) {
          const iv = randomBytes(16);
          const cipher = createCipheriv('aes-128-cbc', Buffer.from(key), iv);
          return { iv, ciphertext: Buffer.concat([cipher.update(plaintext), cipher.final()]) };
        },
      };
    },
  };
}

// DER: SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING },
// where the bit string holds INTEGER y. The algorithm identifier (dhKeyAgreement, p, g) is the same
// for both sides, so the peer's key is ours with its y swapped in.
const SEQUENCE = 0x30;
const BIT_STRING = 0x03;
const INTEGER = 0x02;

interface Tlv {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

function readTlv(der: Buffer, offset: number): Tlv {
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + der[contentStart + i]!;
    contentStart += octets;
  }
  return { tag, start: offset, contentStart, end: contentStart + length };
}

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

function expect(part: Tlv, tag: number): Tlv {
  if (part.tag !== tag) throw new Error(`unexpected DER tag 0x${part.tag.toString(16)} in a DH public key`);
  return part;
}

export function splitDhSpki(spki: Buffer): { algorithm: Buffer; publicValue: Buffer } {
  const outer = expect(readTlv(spki, 0), SEQUENCE);
  const algorithm = expect(readTlv(spki, outer.contentStart), SEQUENCE);
  const bits = expect(readTlv(spki, algorithm.end), BIT_STRING);
  // The bit string's first content byte counts its unused bits (0 here).
  const y = expect(readTlv(spki, bits.contentStart + 1), INTEGER);
  return { algorithm: spki.subarray(algorithm.start, algorithm.end), publicValue: stripLeadingZeros(spki.subarray(y.contentStart, y.end)) };
}

export function dhSpki(algorithm: Buffer, publicValue: Buffer): Buffer {
  const magnitude = stripLeadingZeros(publicValue);
  const integer = tlv(INTEGER, magnitude[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude);
  return tlv(SEQUENCE, Buffer.concat([algorithm, tlv(BIT_STRING, Buffer.concat([Buffer.from([0]), integer]))]));
}

function stripLeadingZeros(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}
