import {
  applyEdits,
  findNodeAtLocation,
  modify,
  parseTree,
  printParseErrorCode,
  visit,
  type FormattingOptions,
  type Node,
  type ParseError,
} from 'jsonc-parser';
import { CST, isNode, Lexer, parseDocument, type Document } from 'yaml';
import { nestedTooDeep, tooDeepAt, TOO_DEEP } from '../config/json.js';
import { CliError } from '../errors.js';
import type { FileFormat } from './catalog.js';
import { lineDiff } from './diff.js';

/**
 * Reading and editing clients' files without disturbing anything but the value edited: JSON and
 * JSON with comments through jsonc-parser (its `modify` edits keep comments, order and layout),
 * YAML through the yaml package's Document API.
 */

export type JsonPath = (string | number)[];

/** Line and column (1-based) of a character offset. */
export function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * The value of a parsed JSON node. Every key becomes an own property (`__proto__` too, which an
 * assignment would take as the object's prototype, hiding what is under it); a key that appears
 * twice in one object is an error, since the first value would be hidden from the scan.
 */
function jsonValue(node: Node, text: string, label: string): unknown {
  if (node.type === 'array') return (node.children ?? []).map((child) => jsonValue(child, text, label));
  if (node.type !== 'object') return node.value;
  const object: Record<string, unknown> = {};
  for (const property of node.children ?? []) {
    const [key, value] = property.children ?? [];
    if (!key || !value) continue;
    const name = String(key.value);
    if (Object.hasOwn(object, name)) {
      const { line, column } = position(text, key.offset);
      throw new CliError(`${label}:${line}:${column}: a key appears twice in one object; the file was left as it is`);
    }
    Object.defineProperty(object, name, { value: jsonValue(value, text, label), enumerable: true, writable: true, configurable: true });
  }
  return object;
}

/** The data of a client's file; a syntax error names the file, line and column, never the text there. */
export function parseClientText(format: FileFormat, text: string, label: string): unknown {
  if (text.trim() === '') return {};
  if (format === 'json') {
    const deep = tooDeepAt(text);
    if (deep) throw new CliError(`${label}:${deep.line}:${deep.column}: ${TOO_DEEP}; the file was left as it is`);
    const errors: ParseError[] = [];
    const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
    if (errors.length > 0 || !tree) {
      const { line, column } = position(text, errors[0]?.offset ?? 0);
      const why = errors[0] ? printParseErrorCode(errors[0].error) : 'ValueExpected';
      throw new CliError(`${label}:${line}:${column}: invalid JSON (${why}); the file was left as it is`);
    }
    return jsonValue(tree, text, label);
  }
  const doc = yamlDocument(text);
  const error = doc.errors[0];
  if (error) {
    // The library's own message quotes the lines around the error, which may hold a secret.
    const at = error.linePos?.[0] ?? position(text, error.pos[0]);
    const column = 'col' in at ? at.col : at.column;
    throw new CliError(`${label}:${at.line}:${column}: invalid YAML (${error.code}); the file was left as it is`);
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (nestedTooDeep(data)) throw new CliError(`${label}: ${TOO_DEEP}; the file was left as it is`);
  return data;
}

function yamlDocument(text: string): Document.Parsed {
  return parseDocument(text, { uniqueKeys: true, prettyErrors: true });
}

/** Indentation and line ends as the file has them, so that new text looks like the rest. */
function jsonFormatting(text: string): FormattingOptions {
  const indented = /^([ \t]+)\S/m.exec(text);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (indented?.[1]?.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol };
  const sizes = [...text.matchAll(/^( +)\S/gm)].map((m) => m[1]!.length);
  return { insertSpaces: true, tabSize: sizes.length > 0 ? Math.min(...sizes) : 2, eol };
}

function yamlOptions(text: string) {
  const sizes = [...text.matchAll(/^( +)[^\s#-]/gm)].map((m) => m[1]!.length);
  const indent = sizes.length > 0 ? Math.min(...sizes) : 2;
  // `key:\n- item` (sequences level with their key, as serde_yaml writes them) or `key:\n  - item`.
  const level = /^( *)[^\s#][^\n]*:[ \t]*\r?\n\1- /m.test(text);
  return { indent, indentSeq: !level, lineWidth: 0, minContentWidth: 0 };
}

/** An edit of a file's data: a value set (created where missing) or removed (undefined), at a path. */
export interface DataEdit {
  path: JsonPath;
  value: unknown;
}

/**
 * Applies edits to a file's text and returns the new text. JSON: each edit is a jsonc-parser
 * `modify`, which touches only the value at its path. YAML: the Document API makes the edits and
 * renders the document; since it also normalizes spacing elsewhere (around comments, at line ends),
 * only the lines it changed for the edits are carried into the original text, and the result must
 * parse to what the Document holds, or the file is not edited at all.
 */
export function editText(format: FileFormat, text: string, edits: DataEdit[], label: string): string {
  if (format === 'json') {
    let out = text.trim() === '' ? '{}' : text;
    const formattingOptions = jsonFormatting(out);
    for (const edit of edits) out = applyEdits(out, modify(out, edit.path, edit.value, { formattingOptions }));
    return out;
  }
  const doc = yamlDocument(text.trim() === '' ? '{}\n' : text);
  const options = yamlOptions(text);
  const before = doc.toString(options);
  for (const edit of edits) {
    if (edit.value === undefined) doc.deleteIn(edit.path);
    else doc.setIn(edit.path, doc.createNode(edit.value));
  }
  const after = doc.toString(options);
  if (text.trim() === '' || before === text) return after;
  const sourceLines = text.split('\n');
  const beforeLines = before.split('\n');
  if (sourceLines.length !== beforeLines.length) throw cannotEditYaml(label);
  const out: string[] = [];
  let i = 0;
  for (const op of lineDiff(beforeLines, after.split('\n'))) {
    if (op.kind === 'same') out.push(sourceLines[i++]!);
    else if (op.kind === 'removed') i++;
    else out.push(op.line);
  }
  const result = out.join('\n');
  if (JSON.stringify(yamlDocument(result).toJS()) !== JSON.stringify(doc.toJS())) throw cannotEditYaml(label);
  return result;
}

function cannotEditYaml(label: string): CliError {
  return new CliError(
    `${label}: cannot edit this YAML file without changing parts of it that the edit does not concern; it was left as it is`,
    1,
    'edit the entry by hand',
  );
}

/** The value at a path of parsed data, or undefined. */
export function valueAt(data: unknown, path: JsonPath): unknown {
  let node = data;
  for (const part of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

export interface Comment {
  offset: number;
  text: string;
}

/** The comments of a file, where each starts: line and block comments in JSON with comments, `#` in YAML. */
export function commentsOf(format: FileFormat, text: string): Comment[] {
  const out: Comment[] = [];
  if (format === 'json') {
    visit(
      text,
      { onComment: (offset, length) => void out.push({ offset, text: text.slice(offset, offset + length) }) },
      { allowTrailingComma: true, disallowComments: false },
    );
    return out;
  }
  // The lexer's tokens are the source, in order, apart from markers that stand for no text.
  const markers = new Set([CST.DOCUMENT, CST.FLOW_END, CST.SCALAR]);
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (markers.has(token)) continue;
    if (token.startsWith('#')) out.push({ offset, text: token });
    offset += token.length;
  }
  return out;
}

/** Where the value at a path starts in a file's text (undefined when it is not there). */
export function offsetOf(format: FileFormat, text: string, path: JsonPath): number | undefined {
  if (format === 'json') {
    const tree = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
    return tree ? findNodeAtLocation(tree, path)?.offset : undefined;
  }
  const node = yamlDocument(text).getIn(path, true);
  return isNode(node) ? node.range?.[0] : undefined;
}
