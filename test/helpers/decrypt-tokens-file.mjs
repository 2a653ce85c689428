// Opens a tokens.enc by following docs/encrypted-file.md step by step, without any mcp-cli code.
//   node decrypt-tokens-file.mjs FILE               passphrase on stdin; prints the payload JSON
//   node decrypt-tokens-file.mjs FILE --data-key    prints the unwrapped data key (hex) instead
//   node decrypt-tokens-file.mjs FILE --with-key HEX   decrypts the payload with that data key (no passphrase)
// Exits 1 naming the step that failed.
import { createDecipheriv, scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [file, mode, hex] = process.argv.slice(2);
const fail = (step) => {
  process.stderr.write(`failed: ${step}\n`);
  process.exit(1);
};
const b64 = (s) => Buffer.from(s, 'base64');
const open = (key, sealed, aad) => {
  const decipher = createDecipheriv('aes-256-gcm', key, b64(sealed.nonce));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(b64(sealed.tag));
  return Buffer.concat([decipher.update(b64(sealed.ciphertext)), decipher.final()]);
};

const doc = JSON.parse(readFileSync(file, 'utf8'));
if (doc.format !== 'mcp-cli-tokens' || doc.version !== 1) fail('format');
const { N, r, p, salt } = doc.kdf;
// Step 2: the header string, with the salt exactly as it appears in the file.
const header = `mcp-cli-tokens|v1|scrypt|N=${N}|r=${r}|p=${p}|salt=${salt}`;
// Step 5: the payload's additional data.
const payloadAad = `${header}|${doc.key.nonce}|${doc.key.ciphertext}|${doc.key.tag}`;

let dataKey;
if (mode === '--with-key') {
  dataKey = Buffer.from(hex, 'hex');
} else {
  const passphrase = readFileSync(0, 'utf8');
  // Step 3: the key-encryption key.
  const kek = scryptSync(passphrase.normalize('NFC'), b64(salt), 32, { N, r, p, maxmem: 128 * N * r * p + 16 * 1024 * 1024 });
  // Step 4: unwrap the data key.
  try {
    dataKey = open(kek, doc.key, header);
  } catch {
    fail('unwrap the data key (wrong passphrase?)');
  }
  if (mode === '--data-key') {
    process.stdout.write(dataKey.toString('hex') + '\n');
    process.exit(0);
  }
}
// Step 6: the payload.
let plaintext;
try {
  plaintext = open(dataKey, doc.payload, payloadAad);
} catch {
  fail('decrypt the payload (wrong data key?)');
}
process.stdout.write(plaintext.toString('utf8') + '\n');
