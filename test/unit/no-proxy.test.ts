import { describe, expect, it } from 'vitest';
import { bypassesProxy, proxyFor, redactedProxy } from '../../src/net/no-proxy.js';

const bypass = (url: string, noProxy: string) => bypassesProxy(new URL(url), noProxy);

describe('NO_PROXY, matched as curl does', () => {
  it('a name matches itself and the hosts under it, with or without a leading dot, never a longer name', () => {
    for (const entry of ['example.com', '.example.com', 'EXAMPLE.com', 'example.com.']) {
      expect(bypass('https://example.com/', entry), entry).toBe(true);
      expect(bypass('https://api.example.com/', entry), entry).toBe(true);
      expect(bypass('https://a.b.example.com:8443/', entry), entry).toBe(true);
      expect(bypass('https://notexample.com/', entry), entry).toBe(false);
      expect(bypass('https://example.com.evil.net/', entry), entry).toBe(false);
    }
    expect(bypass('https://example.com./', 'example.com')).toBe(true);
  });

  it('a comma- or space-separated list, any entry matching', () => {
    expect(bypass('https://b.internal/', 'a.corp, b.internal')).toBe(true);
    expect(bypass('https://b.internal/', 'a.corp b.internal')).toBe(true);
    expect(bypass('https://c.internal/', 'a.corp,,b.internal,')).toBe(false);
    expect(bypass('https://x.test/', '')).toBe(false);
  });

  it('* alone bypasses every host; inside a list or a name it is no wildcard', () => {
    expect(bypass('https://anything.example/', '*')).toBe(true);
    expect(bypass('http://10.0.0.1:8080/', ' * ')).toBe(true);
    expect(bypass('https://anything.example/', '*.example')).toBe(false);
    expect(bypass('https://anything.example/', 'a.corp,*')).toBe(false);
  });

  it('localhost and 127.0.0.1 go through the proxy unless listed', () => {
    expect(bypass('http://localhost:3000/', 'example.com')).toBe(false);
    expect(bypass('http://127.0.0.1:3000/', 'localhost')).toBe(false);
    expect(bypass('http://localhost:3000/', 'localhost')).toBe(true);
    expect(bypass('http://127.0.0.1:3000/', '127.0.0.1')).toBe(true);
  });

  it('IP addresses match exactly or by network, IPv6 with or without brackets, never as name suffixes', () => {
    expect(bypass('http://10.1.2.3/', '10.1.2.3')).toBe(true);
    expect(bypass('http://10.1.2.33/', '10.1.2.3')).toBe(false);
    expect(bypass('http://110.1.2.3/', '10.1.2.3')).toBe(false);
    expect(bypass('http://10.1.2.3/', '10.0.0.0/8')).toBe(true);
    expect(bypass('http://11.1.2.3/', '10.0.0.0/8')).toBe(false);
    expect(bypass('http://[::1]:8080/', '::1')).toBe(true);
    expect(bypass('http://[::1]:8080/', '[::1]')).toBe(true);
    expect(bypass('http://[fd00::5]/', 'fd00::/8')).toBe(true);
    expect(bypass('http://[fe80::5]/', 'fd00::/8')).toBe(false);
    expect(bypass('http://10.1.2.3/', '10.0.0.0/99')).toBe(false);
    expect(bypass('http://10.1.2.3/', '::1')).toBe(false);
  });

  it('an entry with a port matches that port only, the scheme giving the default one', () => {
    expect(bypass('https://api.corp:8443/', 'api.corp:8443')).toBe(true);
    expect(bypass('https://api.corp/', 'api.corp:8443')).toBe(false);
    expect(bypass('https://api.corp/', 'api.corp:443')).toBe(true);
    expect(bypass('http://api.corp/', 'api.corp:80')).toBe(true);
    expect(bypass('http://127.0.0.1:9000/', '127.0.0.1:9000')).toBe(true);
    expect(bypass('http://127.0.0.1:9001/', '127.0.0.1:9000')).toBe(false);
    expect(bypass('http://[::1]:9000/', '[::1]:9000')).toBe(true);
  });
});

describe('the proxy for a URL', () => {
  it('HTTPS_PROXY for https://, HTTP_PROXY for http://, the lower-case form first, NO_PROXY in either case', () => {
    const env = { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2', HTTP_PROXY: 'http://plain:3' };
    expect(proxyFor(new URL('https://a.example/'), env)).toBe('http://lower:2');
    expect(proxyFor(new URL('https://a.example/'), { HTTPS_PROXY: 'http://upper:1' })).toBe('http://upper:1');
    expect(proxyFor(new URL('http://a.example/'), env)).toBe('http://plain:3');
    expect(proxyFor(new URL('http://a.example/'), { https_proxy: 'http://lower:2' })).toBeUndefined();
    expect(proxyFor(new URL('https://a.example/'), { ...env, no_proxy: 'b.example' })).toBe('http://lower:2');
    expect(proxyFor(new URL('https://a.example/'), { ...env, NO_PROXY: 'a.example' })).toBeUndefined();
    expect(proxyFor(new URL('https://a.example/'), { https_proxy: '  ' })).toBeUndefined();
  });

  it('a proxy URL is printed without its user name and password', () => {
    expect(redactedProxy('http://alice:SENTINEL-pw@proxy.corp:3128')).toBe('http://***@proxy.corp:3128');
    expect(redactedProxy('http://proxy.corp:3128/')).toBe('http://proxy.corp:3128');
    expect(redactedProxy('not a url SENTINEL-pw')).not.toContain('SENTINEL');
  });
});
