// The pieces of `mcp-cli run`'s link to an HTTP server that read and write the wire: server-sent
// events as they arrive in any pieces, and the headers a 2026 request carries.
import { describe, expect, it } from 'vitest';
import { eventStreamParser } from '../../src/mcp/sse.js';
import { encodeHeaderValue, headerDeclarations, standardHeaders } from '../../src/mcp/standard-headers.js';

const ENVELOPE = { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } };

describe('eventStreamParser', () => {
  it('yields events whole, however the text is cut, with CRLF split across pieces', () => {
    const retries: number[] = [];
    const parser = eventStreamParser((ms) => retries.push(ms));
    const text = 'retry: 1500\r\nid: 7\r\ndata: {"a":\r\ndata: 1}\r\n\r\n: a comment\n\nevent: message\ndata: second\n\n';
    const events = [...text].flatMap((c) => parser.feed(c));
    expect(events).toEqual([
      { id: '7', data: '{"a":\n1}' },
      { event: 'message', data: 'second' },
    ]);
    expect(retries).toEqual([1500]);
  });

  it('ignores a retry that is not a number and an id holding NUL; an empty id is reported as empty', () => {
    const retries: number[] = [];
    const parser = eventStreamParser((ms) => retries.push(ms));
    expect(parser.feed('retry: soon\nid: a\0b\ndata: x\n\nid:\n\n')).toEqual([{ data: 'x' }, { id: '', data: '' }]);
    expect(retries).toEqual([]);
  });
});

describe('standardHeaders', () => {
  it('gives a 2026 request its version, method and name; a 2025 request none', () => {
    expect(standardHeaders({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', ...ENVELOPE } })).toEqual({
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': 'echo',
    });
    expect(standardHeaders({ jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'config://app', ...ENVELOPE } })['mcp-name']).toBe('config://app');
    expect(standardHeaders({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo' } })).toEqual({});
  });

  it("mirrors a tool's x-mcp-header arguments; a value with a line break or non-ASCII travels as base64, never raw", () => {
    const declarations = headerDeclarations({ type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, n: { type: 'integer' } } });
    expect(declarations).toEqual([{ path: ['region'], header: 'Region' }]);
    const headers = standardHeaders(
      { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 't', arguments: { region: 'eu\r\nX-Evil: 1' }, ...ENVELOPE } },
      () => declarations,
    );
    expect(headers['mcp-param-region']).toBe(`=?base64?${Buffer.from('eu\r\nX-Evil: 1').toString('base64')}?=`);
    expect(encodeHeaderValue('plain-value')).toBe('plain-value');
    expect(encodeHeaderValue('grüße')).toBe(`=?base64?${Buffer.from('grüße').toString('base64')}?=`);
  });

  it('refuses declarations the era forbids: under items, of an object type, or named twice in any case', () => {
    expect(headerDeclarations({ type: 'object', properties: { list: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Item' } } } })).toBeUndefined();
    expect(headerDeclarations({ type: 'object', properties: { o: { type: 'object', 'x-mcp-header': 'Obj' } } })).toBeUndefined();
    expect(
      headerDeclarations({ type: 'object', properties: { a: { type: 'string', 'x-mcp-header': 'Dup' }, b: { type: 'string', 'x-mcp-header': 'dup' } } }),
    ).toBeUndefined();
  });
});
