import type { Writable } from 'node:stream';
import type { Env } from '../paths.js';
import { colorEnabled, createStyle } from './style.js';

/** What a notice needs of a command's IO. */
export interface NoticeIo {
  env: Env;
  stderr: Writable;
  tty: { stderr: boolean };
  globals: { quiet?: boolean };
}

function style(io: NoticeIo) {
  return createStyle(colorEnabled(io.env, io.tty.stderr));
}

/** A confirmation on stderr: `✓ Stored ...`; none with `-q`. */
export function success(io: NoticeIo, text: string): void {
  if (io.globals.quiet) return;
  io.stderr.write(`${style(io).green('✓')} ${text}\n`);
}

/** A warning on stderr: `! ...`. */
export function warn(io: NoticeIo, text: string): void {
  io.stderr.write(`${style(io).yellow('!')} ${text}\n`);
}
