import type { Env } from '../paths.js';

/** Colours only on a terminal; `NO_COLOR` turns them off, `FORCE_COLOR`/`CLICOLOR_FORCE` on, `CLICOLOR=0` off. */
export function colorEnabled(env: Env, tty: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  if (env.CLICOLOR_FORCE !== undefined && env.CLICOLOR_FORCE !== '0') return true;
  if (env.CLICOLOR === '0') return false;
  return tty;
}

/** The colours a table cell or row may have. */
export type Tone = 'red' | 'yellow' | 'green' | 'dim';

export interface Style {
  tone(tone: Tone, text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const wrap = (on: boolean, open: number, close: number) => (text: string) => (on ? `\u001b[${open}m${text}\u001b[${close}m` : text);

export function createStyle(enabled: boolean): Style {
  const tones: Record<Tone, (text: string) => string> = {
    green: wrap(enabled, 32, 39),
    yellow: wrap(enabled, 33, 39),
    red: wrap(enabled, 31, 39),
    dim: wrap(enabled, 2, 22),
  };
  return { ...tones, tone: (tone, text) => tones[tone](text), bold: wrap(enabled, 1, 22) };
}
