/** Encoded spellings shorter than this are left out: they would match ordinary text by chance. */
export const MIN_ENCODED = 8;

const lowerHex = (text: string) => text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());

/** The URL encodings a server may apply: encodeURIComponent, strict RFC 3986, form encoding (`+` for a space), encodeURI; hex digits in either case. */
function urlSpellings(secret: string): string[] {
  let component: string;
  try {
    component = encodeURIComponent(secret);
  } catch {
    // A lone surrogate has no UTF-8 form, so no URL encoding either.
    return [];
  }
  const strict = component.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const form = new URLSearchParams({ v: secret }).toString().slice(2);
  return [component, strict, form, encodeURI(secret)].flatMap((spelled) => [spelled, lowerHex(spelled)]);
}

const toUrlAlphabet = (base64: string) => base64.replace(/\+/g, '-').replace(/\//g, '_');

/**
 * Its base64 and base64url encodings whole, and, for each of the three offsets (modulo 3) at which it
 * may sit inside a longer encoded text (`Basic base64(user:password)`), the characters that depend
 * on the secret alone.
 */
function base64Spellings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const out = [bytes.toString('base64'), bytes.toString('base64url')];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    // Character i holds bits 6i..6i+5: those wholly inside the secret's bits [8*shift, 8*(shift+length)).
    const core = encoded.slice(Math.ceil((8 * shift) / 6), Math.floor((8 * (shift + bytes.length)) / 6));
    out.push(core, toUrlAlphabet(core));
  }
  return out;
}

/** The secret, and the ways a server may echo it encoded (URL, form, base64, base64url), each once. */
export function spellings(secret: string): string[] {
  const encoded = [...urlSpellings(secret), ...base64Spellings(secret)].filter((s) => s.length >= MIN_ENCODED);
  return [...new Set([secret, ...encoded])];
}
