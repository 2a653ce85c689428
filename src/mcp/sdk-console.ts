import type { Writable } from 'node:stream';
import { format } from 'node:util';
import { printable } from '../io/terminal-text.js';

interface Sink {
  stderr: Writable;
  mask: (text: string) => string;
}

const sinks = new Set<Sink>();
let saved: Pick<Console, 'log' | 'debug' | 'info' | 'warn' | 'error'> | undefined;

/**
 * The SDK reports some things with `console.*` (a tool it excludes for an invalid `x-mcp-header`, a
 * list a server does not offer). `console.log` and `console.debug` would write to stdout, which holds
 * a command's data (a `--json` listing) or the bridge's JSON-RPC, so while a connection is open its
 * debug chatter is dropped and its warnings go to stderr: one printable line each, with the servers'
 * secrets masked (a tool's name is the server's text). Returns the function that undoes it.
 */
export function routeSdkConsole(stderr: Writable, mask: (text: string) => string): () => void {
  const sink = { stderr, mask };
  if (sinks.size === 0) {
    saved = { log: console.log, debug: console.debug, info: console.info, warn: console.warn, error: console.error };
    const say = (...args: unknown[]) => {
      const line = printable([...sinks].reduce((text, s) => s.mask(text), format(...args)).replace(/[\r\n]+/g, ' '));
      [...sinks][0]?.stderr.write(`${line}\n`);
    };
    const drop = () => undefined;
    Object.assign(console, { log: drop, debug: drop, info: drop, warn: say, error: say });
  }
  sinks.add(sink);
  return () => {
    if (!sinks.delete(sink) || sinks.size > 0 || !saved) return;
    Object.assign(console, saved);
    saved = undefined;
  };
}
