import { StringDecoder } from 'node:string_decoder';
import { Transform } from 'node:stream';

// C0 and C1 controls (ESC starts cursor moves and OSC 52 clipboard writes) and the bidirectional
// overrides that make text read differently than it is stored ("Trojan Source").
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from a file, a server or stored metadata, made harmless for a terminal: each control
 * character is shown as a `\u` escape instead of being obeyed. Tabs and newlines stay.
 */
export function hasUnprintable(text: string): boolean {
  return new RegExp(UNPRINTABLE.source).test(text);
}

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** As printable(), for text that must stay on one line: tabs, newlines and Unicode line and paragraph separators are escaped too. */
export function oneLine(text: string): string {
  return printable(text).replace(/[\t\n\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A stream of text made harmless for a terminal as it passes (a server's stderr): printable() piece by
 * piece, characters cut across chunks decoded whole. A line break `\r\n` stays one.
 */
export function printableStream(): Transform {
  const decoder = new StringDecoder('utf8');
  // A carriage return at the end of a chunk waits to see whether a line feed follows.
  let carriage = false;
  const show = (decoded: string, final: boolean) => {
    let text = (carriage ? '\r' : '') + decoded;
    carriage = !final && text.endsWith('\r');
    if (carriage) text = text.slice(0, -1);
    return text.split('\r\n').map(printable).join('\r\n');
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, show(decoder.write(chunk), false) || undefined);
    },
    flush(done) {
      done(null, show(decoder.end(), true) || undefined);
    },
  });
}
