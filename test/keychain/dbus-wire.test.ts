import { describe, expect, it } from 'vitest';
import { socketPathOf } from '../../src/stores/keychain/dbus-client.js';
import { decodeMessage, encodeMessage, messageLength, MessageType, splitSignature } from '../../src/stores/keychain/dbus-wire.js';

describe('D-Bus wire format', () => {
  it('splits signatures into complete types', () => {
    expect(splitSignature('sa{ss}(aoao)v')).toEqual(['s', 'a{ss}', '(aoao)', 'v']);
    expect(() => splitSignature('a{ss')).toThrow(/bad D-Bus signature/);
  });

  it('encodes and decodes a call with nested containers, unicode and variants', () => {
    const body = [
      [
        ['service', 'mcp-cli'],
        ['username', 'generic:clé-🔑'],
      ],
      ['/a', '/b/c'],
      ['a{ss}', [['k', 'v']]],
      true,
      42,
    ];
    const bytes = encodeMessage({
      type: MessageType.call,
      serial: 7,
      path: '/org/x',
      interface: 'i.f',
      member: 'M',
      destination: 'd.e',
      signature: 'a{ss}aovbu',
      body,
    });
    expect(messageLength(bytes)).toBe(bytes.length);
    expect(messageLength(bytes.subarray(0, bytes.length - 1))).toBe(0);
    const decoded = decodeMessage(bytes);
    expect(decoded).toMatchObject({ type: 1, serial: 7, path: '/org/x', interface: 'i.f', member: 'M', destination: 'd.e', signature: 'a{ss}aovbu' });
    expect(decoded.body).toEqual(body);
  });
});

describe('socketPathOf', () => {
  it('reads path and abstract unix addresses, unescaping values', () => {
    expect(socketPathOf('unix:path=/tmp/dbus-abc,guid=123')).toBe('/tmp/dbus-abc');
    expect(socketPathOf('unix:abstract=/tmp/dbus-x,guid=1')).toBe('\0/tmp/dbus-x');
    expect(socketPathOf('tcp:host=localhost,port=1;unix:path=/run/a%20b')).toBe('/run/a b');
    expect(socketPathOf('tcp:host=localhost,port=1')).toBeUndefined();
  });
});
