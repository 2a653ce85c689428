// Property: whatever value of whatever type the encoder writes, the decoder reads back the same,
// in a whole message as the Secret Service client sends and receives them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, messageLength, MessageType, type DbusValue } from '../../src/stores/keychain/dbus-wire.js';

type DbusType =
  | { kind: 'basic'; sig: 'y' | 'b' | 'u' | 'i' | 's' | 'o' }
  | { kind: 'bytes' }
  | { kind: 'array'; of: DbusType }
  | { kind: 'struct'; fields: DbusType[] }
  | { kind: 'dict'; key: DbusType; value: DbusType }
  | { kind: 'variant'; inner: DbusType };

function signature(t: DbusType): string {
  switch (t.kind) {
    case 'basic':
      return t.sig;
    case 'bytes':
      return 'ay';
    case 'array':
      return `a${signature(t.of)}`;
    case 'struct':
      return `(${t.fields.map(signature).join('')})`;
    case 'dict':
      return `a{${signature(t.key)}${signature(t.value)}}`;
    case 'variant':
      return 'v';
  }
}

const basicType = fc.constantFrom('y', 'b', 'u', 'i', 's', 'o').map((sig) => ({ kind: 'basic', sig }) as DbusType);
const keyType = fc.constantFrom('u', 'i', 's').map((sig) => ({ kind: 'basic', sig }) as DbusType);

const anyType: fc.Arbitrary<DbusType> = fc.letrec<{ type: DbusType }>((tie) => ({
  type: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    basicType,
    fc.constant({ kind: 'bytes' } as DbusType),
    tie('type').map((of) => ({ kind: 'array', of }) as DbusType),
    fc.array(tie('type'), { minLength: 1, maxLength: 3 }).map((fields) => ({ kind: 'struct', fields }) as DbusType),
    fc.tuple(keyType, tie('type')).map(([key, value]) => ({ kind: 'dict', key, value }) as DbusType),
    tie('type').map((inner) => ({ kind: 'variant', inner }) as DbusType),
  ),
})).type;

const text = fc.string({ unit: 'grapheme', maxLength: 16 }).filter((s) => !s.includes('\0'));

function valueOf(t: DbusType): fc.Arbitrary<DbusValue> {
  switch (t.kind) {
    case 'basic':
      if (t.sig === 'y') return fc.integer({ min: 0, max: 255 });
      if (t.sig === 'b') return fc.boolean();
      if (t.sig === 'u') return fc.integer({ min: 0, max: 0xffffffff });
      if (t.sig === 'i') return fc.integer({ min: -0x80000000, max: 0x7fffffff });
      if (t.sig === 's') return text;
      return fc.array(fc.stringMatching(/^[A-Za-z0-9_]{1,8}$/), { maxLength: 3 }).map((parts) => `/${parts.join('/')}`);
    case 'bytes':
      return fc.uint8Array({ maxLength: 48 }).map((bytes) => Buffer.from(bytes));
    case 'array':
      // The codec reads every `ay` (a secret's bytes) as one Buffer.
      if (t.of.kind === 'basic' && t.of.sig === 'y') return fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }).map((bytes) => Buffer.from(bytes));
      return fc.array(valueOf(t.of), { maxLength: 3 });
    case 'struct':
      return fc.tuple(...t.fields.map(valueOf));
    case 'dict':
      return fc.array(fc.tuple(valueOf(t.key), valueOf(t.value)), { maxLength: 3 });
    case 'variant':
      return valueOf(t.inner).map((v) => [signature(t.inner), v]);
  }
}

const typedValue = anyType.chain((type) => valueOf(type).map((value) => ({ sig: signature(type), value })));

describe('D-Bus wire codec', () => {
  it('decodes what it encodes, for any body of any supported types', () => {
    fc.assert(
      fc.property(fc.array(typedValue, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 0xffffffff }), (body, serial) => {
        const sig = body.map((t) => t.sig).join('');
        fc.pre(sig.length <= 255);
        const bytes = encodeMessage({ type: MessageType.reply, serial, replySerial: 3, destination: ':1.42', signature: sig, body: body.map((t) => t.value) });
        expect(messageLength(bytes)).toBe(bytes.length);
        expect(messageLength(bytes.subarray(0, bytes.length - 1))).toBe(0);
        const decoded = decodeMessage(bytes);
        expect(decoded).toMatchObject({ type: MessageType.reply, serial, replySerial: 3, destination: ':1.42', signature: sig });
        expect(decoded.body).toEqual(body.map((t) => t.value));
      }),
      { numRuns: 400 },
    );
  });
});
