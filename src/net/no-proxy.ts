import { BlockList, isIP } from 'node:net';
import { proxyVariable } from './proxy-env.js';

type Env = Record<string, string | undefined>;

/** The proxy a request to `url` goes through under these variables, or undefined when it goes straight. */
export function proxyFor(url: URL, env: Env): string | undefined {
  const proxy = url.protocol === 'https:' ? proxyVariable(env, 'https_proxy') : url.protocol === 'http:' ? proxyVariable(env, 'http_proxy') : undefined;
  if (proxy === undefined || bypassesProxy(url, proxyVariable(env, 'no_proxy') ?? '')) return undefined;
  return proxy;
}

/**
 * NO_PROXY as curl reads it: names separated by commas or spaces; `*` alone bypasses every host; a
 * name matches itself and every host under it (a leading dot changes nothing: `.example.com` and
 * `example.com` both match `example.com` and `api.example.com`, never `notexample.com`); an IP
 * address (IPv6 with or without brackets) matches that address, or with `/bits` a network; an entry
 * with `:port` matches that port only. localhost and 127.0.0.1 are bypassed only when listed.
 */
export function bypassesProxy(url: URL, noProxy: string): boolean {
  const entries = noProxy.split(/[\s,]+/).filter((entry) => entry !== '');
  if (entries.length === 1 && entries[0] === '*') return true;
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return entries.some((entry) => entryMatches(entry.toLowerCase(), host, port));
}

function entryMatches(entry: string, host: string, port: number): boolean {
  const { name, port: wanted } = splitPort(entry);
  if (wanted !== undefined && wanted !== port) return false;
  if (isIP(host) !== 0) return ipMatches(name, host);
  const domain = name.replace(/^\./, '').replace(/\.$/, '');
  if (domain === '') return false;
  return host === domain || host.endsWith(`.${domain}`);
}

/** "name:port", "[v6]:port", "[v6]", or a bare name, address or network (an IPv6 address has colons of its own). */
function splitPort(entry: string): { name: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1]!, ...(bracketed[2] !== undefined ? { port: Number(bracketed[2]) } : {}) };
  const named = /^([^:]+):(\d+)$/.exec(entry);
  if (named) return { name: named[1]!, port: Number(named[2]) };
  return { name: entry };
}

function ipMatches(entry: string, host: string): boolean {
  const [address = '', bitsText] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || family !== isIP(host)) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (bitsText === undefined) {
    const list = new BlockList();
    list.addAddress(address, type);
    return list.check(host, type);
  }
  const bits = Number(bitsText);
  if (!/^\d+$/.test(bitsText) || bits > (family === 4 ? 32 : 128)) return false;
  const list = new BlockList();
  list.addSubnet(address, bits, type);
  return list.check(host, type);
}

/** A proxy URL fit to print: its user name and password replaced. */
export function redactedProxy(proxy: string): string {
  try {
    const url = new URL(proxy);
    if (url.username === '' && url.password === '') return url.origin;
    return `${url.protocol}//***@${url.host}`;
  } catch {
    return '(a proxy address that is not a valid URL)';
  }
}
