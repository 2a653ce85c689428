import { createPrivateKey, X509Certificate } from 'node:crypto';
import { CliError } from '../errors.js';

export interface ClientCertificate {
  secret: { cert: string; key: string; ca?: string };
  expiresAt: Date;
  details: Record<string, string>;
}

function commonName(dn: string): string {
  return /(?:^|\n)CN=([^\n]+)/.exec(dn)?.[1] ?? dn.split('\n')[0] ?? '';
}

/** Checks that the PEM files hold a certificate, its private key and optionally a CA bundle, and describes them. */
export function parseClientCertificate(
  certPem: string,
  keyPem: string,
  caPem: string | undefined,
  labels: { cert: string; key: string; ca?: string },
): ClientCertificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw new CliError(`${labels.cert} does not hold a PEM certificate`);
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new CliError(`${labels.key} does not hold a PEM private key (an encrypted key must be decrypted first)`);
  }
  if (!cert.checkPrivateKey(key)) throw new CliError(`the key in ${labels.key} does not belong to the certificate in ${labels.cert}`);
  if (caPem !== undefined) {
    try {
      new X509Certificate(caPem);
    } catch {
      throw new CliError(`${labels.ca} does not hold a PEM certificate`);
    }
  }
  return {
    secret: { cert: certPem, key: keyPem, ...(caPem !== undefined ? { ca: caPem } : {}) },
    expiresAt: new Date(cert.validTo),
    details: {
      subject: commonName(cert.subject),
      issuer: commonName(cert.issuer),
      fingerprint: cert.fingerprint256.replace(/:/g, '').slice(0, 16).toLowerCase(),
    },
  };
}
