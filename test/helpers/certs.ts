import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireProgram } from './programs.js';

export interface TestPki {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  otherKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync(requireProgram('openssl'), args, { cwd, stdio: 'pipe' });
}

/** A throw-away CA that signs a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
export function makeTestPki(dir: string): TestPki {
  const p = (name: string) => join(dir, name);
  const key = (name: string) => openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p(name)], dir);
  key('ca.key');
  openssl(['req', '-x509', '-new', '-key', 'ca.key', '-days', '2', '-subj', '/CN=mcp-cli test CA', '-out', 'ca.crt'], dir);
  const signed = (name: string, subject: string, extensions: string) => {
    key(`${name}.key`);
    writeFileSync(p(`${name}.ext`), extensions);
    openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        `${name}.ext`,
        '-out',
        `${name}.crt`,
      ],
      dir,
    );
  };
  signed('server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  signed('client', '/CN=mcp-cli test client', 'extendedKeyUsage=clientAuth\n');
  key('other.key');
  return {
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
    otherKey: p('other.key'),
  };
}
