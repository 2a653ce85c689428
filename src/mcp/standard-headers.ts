import { claimedRevision, isObject, isRequest, paramsOf, type Message } from './wire.js';

/**
 * The HTTP headers the 2026 era derives from a request's body (SEP-2243): `MCP-Protocol-Version` and
 * `Mcp-Method` on every request, `Mcp-Name` for the methods that name a tool, prompt or resource, and
 * an `Mcp-Param-*` header for each argument a tool's input schema marks with `x-mcp-header`. Servers
 * check that they agree with the body. A 2025 request (no envelope) gets none of them.
 */
export function standardHeaders(message: Message, toolHeaders?: (name: string) => readonly HeaderDeclaration[] | undefined): Record<string, string> {
  const version = isRequest(message) ? claimedRevision(message) : undefined;
  if (version === undefined) return {};
  const params = paramsOf(message);
  const headers: Record<string, string> = { 'mcp-protocol-version': version, 'mcp-method': message.method as string };
  const name = message.method === 'resources/read' ? params.uri : params.name;
  if (typeof name === 'string') headers['mcp-name'] = encodeHeaderValue(name);
  if (message.method === 'tools/call' && typeof params.name === 'string') {
    for (const declaration of toolHeaders?.(params.name) ?? []) {
      const value = headerText(valueAt(params.arguments, declaration.path));
      if (value !== undefined) headers[`mcp-param-${declaration.header.toLowerCase()}`] = encodeHeaderValue(value);
    }
  }
  return headers;
}

/** An argument that a tool mirrors into a header: where it is in the arguments, and the header's name. */
export interface HeaderDeclaration {
  path: readonly string[];
  header: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PRIMITIVE = new Set(['string', 'integer', 'number', 'boolean']);
/** Keywords under which a property is not reached by a chain of `properties`: `x-mcp-header` is invalid there. */
const UNREACHABLE = ['items', 'prefixItems', 'contains', 'additionalProperties', 'unevaluatedProperties', 'unevaluatedItems', 'propertyNames'];
const UNREACHABLE_MAPS = ['patternProperties', 'dependentSchemas', '$defs', 'definitions'];
const UNREACHABLE_BRANCHES = ['oneOf', 'anyOf', 'allOf', 'not', 'if', 'then', 'else'];

/**
 * The `x-mcp-header` declarations of a tool's input schema; undefined when one is invalid (the SDK's
 * clients then leave the tool out, and its server refuses a call to it). Only properties reached by a
 * chain of `properties` may carry one, of a primitive type, with an RFC 9110 token unique in any case.
 */
export function headerDeclarations(inputSchema: unknown): HeaderDeclaration[] | undefined {
  const found: HeaderDeclaration[] = [];
  const seen = new Set<string>();
  const visit = (node: unknown, path: string[], reachable: boolean): boolean => {
    if (!isObject(node)) return true;
    if ('x-mcp-header' in node) {
      const header = node['x-mcp-header'];
      if (!reachable || path.length === 0 || typeof header !== 'string' || !TOKEN.test(header)) return false;
      if (typeof node.type !== 'string' || !PRIMITIVE.has(node.type) || seen.has(header.toLowerCase())) return false;
      seen.add(header.toLowerCase());
      found.push({ path, header });
    }
    if (isObject(node.properties) && !Object.entries(node.properties).every(([key, child]) => visit(child, [...path, key], reachable))) return false;
    const nested = [
      ...[...UNREACHABLE, ...UNREACHABLE_BRANCHES].flatMap((k) => (Array.isArray(node[k]) ? (node[k] as unknown[]) : [node[k]])),
      ...UNREACHABLE_MAPS.flatMap((k) => (isObject(node[k]) ? Object.values(node[k]) : [])),
    ];
    return nested.every((child) => child === undefined || visit(child, path, false));
  };
  return visit(inputSchema, [], true) ? found : undefined;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) node = isObject(node) ? node[key] : undefined;
  return node;
}

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value))) return String(value);
  return undefined;
}

/** A header value as the 2026 era writes it: as is when it is plain visible ASCII, else `=?base64?…?=` of its UTF-8. */
export function encodeHeaderValue(value: string): string {
  const plain = value !== '' && value === value.trim() && /^[\t\x20-\x7e]*$/.test(value) && !(value.startsWith('=?base64?') && value.endsWith('?='));
  return plain ? value : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}
