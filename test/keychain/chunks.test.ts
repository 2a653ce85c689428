import { describe, expect, it } from 'vitest';
import { joinChunks, MAX_ITEM_UTF16_UNITS, parseChunkHead, planChunks, splitUtf16 } from '../../src/stores/keychain/chunks.js';
import { ChunkedItems, type KeyringItems } from '../../src/stores/keychain/items.js';

/** Items that refuse what Windows Credential Manager refuses: more than 2560 bytes of UTF-16. */
class WindowsLikeItems implements KeyringItems {
  readonly map = new Map<string, string>();
  async get(account: string) {
    return this.map.get(account);
  }
  async set(account: string, value: string) {
    if (Buffer.byteLength(value, 'utf16le') > 2560) throw new Error(`credential too large: ${Buffer.byteLength(value, 'utf16le')} bytes`);
    this.map.set(account, value);
  }
  async delete(account: string) {
    return this.map.delete(account);
  }
}

describe('splitUtf16', () => {
  it('keeps every piece within the limit and joins back to the input', () => {
    const value = 'a'.repeat(3000);
    const pieces = splitUtf16(value, 1280);
    expect(pieces.map((p) => p.length)).toEqual([1280, 1280, 440]);
    expect(pieces.join('')).toBe(value);
  });

  it('never cuts a surrogate pair in half', () => {
    const value = 'x' + '😀'.repeat(10); // the pair boundaries fall on odd offsets
    const pieces = splitUtf16(value, 4);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(4);
      expect(Buffer.from(piece, 'utf8').toString('utf8')).toBe(piece); // no lone surrogate
    }
    expect(pieces.join('')).toBe(value);
  });

  it('returns no pieces for an empty string', () => {
    expect(splitUtf16('', 10)).toEqual([]);
  });
});

describe('planChunks', () => {
  it('stores a value of exactly the Windows limit whole', () => {
    const value = 'v'.repeat(MAX_ITEM_UTF16_UNITS);
    expect(planChunks('bearer:t', value, 'id')).toEqual({ head: value, parts: [] });
  });

  it('splits a value one unit over the limit into two parts named after the account and id', () => {
    const value = 'v'.repeat(MAX_ITEM_UTF16_UNITS + 1);
    const plan = planChunks('bearer:t', value, 'abcd');
    expect(plan.parts.map(([account, piece]) => [account, piece.length])).toEqual([
      ['bearer:t:abcd:1', MAX_ITEM_UTF16_UNITS],
      ['bearer:t:abcd:2', 1],
    ]);
    const head = parseChunkHead(plan.head);
    expect(head).toMatchObject({ id: 'abcd', count: 2 });
    expect(
      joinChunks(
        head!,
        plan.parts.map(([, p]) => p),
      ),
    ).toBe(value);
  });

  it('never stores a small value that looks like a head as is', () => {
    const tricky = JSON.stringify({ chunked: { id: 'x', count: 1, sha256: 'y' } });
    const plan = planChunks('generic:t', tricky, 'id');
    expect(plan.parts).toHaveLength(1);
    expect(joinChunks(parseChunkHead(plan.head)!, [plan.parts[0]![1]])).toBe(tricky);
  });
});

describe('joinChunks', () => {
  const plan = planChunks('a:b', 'z'.repeat(3000), 'id');
  const head = parseChunkHead(plan.head)!;
  const parts = plan.parts.map(([, p]) => p);

  it('rejects a missing part', () => {
    expect(joinChunks(head, [parts[0], undefined, parts[2]])).toBeUndefined();
  });

  it('rejects parts from another write (digest mismatch)', () => {
    expect(joinChunks(head, [parts[0]!, parts[1]!.replace('z', 'y'), parts[2]!])).toBeUndefined();
  });
});

describe('ChunkedItems on items with the Windows size limit', () => {
  it('round-trips an 8 KB unicode value and removes its parts on delete', async () => {
    const raw = new WindowsLikeItems();
    const items = new ChunkedItems(raw);
    const value = '🔑 clé ' + 'ü'.repeat(4000) + '😀'.repeat(1000);
    await items.set('oauth:server', value);
    expect(await items.get('oauth:server')).toBe(value);
    expect(raw.map.size).toBeGreaterThan(4);
    expect(await items.delete('oauth:server')).toBe(true);
    expect(raw.map.size).toBe(0);
  });

  it('replaces a large value with a small one and leaves no parts behind', async () => {
    const raw = new WindowsLikeItems();
    const items = new ChunkedItems(raw);
    await items.set('bearer:t', 'q'.repeat(5000));
    await items.set('bearer:t', 'small');
    expect([...raw.map.keys()]).toEqual(['bearer:t']);
    expect(await items.get('bearer:t')).toBe('small');
  });

  it('replaces a large value with another large one, old parts removed after the switch', async () => {
    const raw = new WindowsLikeItems();
    const items = new ChunkedItems(raw);
    await items.set('bearer:t', 'a'.repeat(5000));
    await items.set('bearer:t', 'b'.repeat(3000));
    expect(await items.get('bearer:t')).toBe('b'.repeat(3000));
    expect(raw.map.size).toBe(1 + 3);
  });

  it('reports an item whose parts are gone as incomplete, not as a shorter value', async () => {
    const raw = new WindowsLikeItems();
    const items = new ChunkedItems(raw);
    await items.set('bearer:t', 'a'.repeat(5000));
    const part = [...raw.map.keys()].find((k) => k.endsWith(':2'))!;
    raw.map.delete(part);
    await expect(items.get('bearer:t')).rejects.toThrow(/incomplete/);
  });

  it('returns undefined for an absent item and false when deleting it', async () => {
    const items = new ChunkedItems(new WindowsLikeItems());
    expect(await items.get('bearer:none')).toBeUndefined();
    expect(await items.delete('bearer:none')).toBe(false);
  });
});
