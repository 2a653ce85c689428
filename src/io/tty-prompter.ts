import { closeSync, openSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { ReadStream, WriteStream } from 'node:tty';
import { CancelledError } from '../errors.js';
import type { Prompter } from './prompter.js';

interface TtyInput extends Readable {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** Where a prompt is shown and answered; `close` releases what was opened for it. */
export interface PromptStreams {
  input: TtyInput;
  output: Writable;
  close?(): void;
}

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = ['\u007f', '\b'];

const CONTROLLING_TERMINAL = '/dev/tty';

/** Whether this process has a controlling terminal (as gpg, ssh and sudo look for one). */
export function hasControllingTerminal(): boolean {
  try {
    closeSync(openSync(CONTROLLING_TERMINAL, 'r+'));
    return true;
  } catch {
    return false;
  }
}

/** The controlling terminal, opened for one prompt: the question and the answer both go through it. */
export function openControllingTerminal(): PromptStreams {
  const input = new ReadStream(openSync(CONTROLLING_TERMINAL, 'r'));
  const output = new WriteStream(openSync(CONTROLLING_TERMINAL, 'w'));
  return {
    input,
    output,
    close: () => {
      input.destroy();
      output.destroy();
    },
  };
}

/**
 * Prompts on a terminal: the question goes to `output` (stderr), the answer comes from `input`.
 * What is typed ahead past an answer's end (a password manager types both lines of a new
 * passphrase at once) is kept for the next question, not dropped.
 */
export class TtyPrompter implements Prompter {
  private typedAhead = '';

  constructor(private readonly streams: () => PromptStreams) {}

  secret(message: string): Promise<string> {
    return this.read(message, false);
  }

  async confirm(message: string): Promise<boolean> {
    const answer = await this.read(`${message} [y/N] `, true);
    return /^y(es)?$/i.test(answer.trim());
  }

  ask(message: string): Promise<string> {
    return this.read(message, true);
  }

  private read(message: string, echo: boolean): Promise<string> {
    const { input, output, close } = this.streams();
    const raw = typeof input.setRawMode === 'function';
    // Echo goes off before the question appears, so that nothing typed ahead is shown.
    if (raw) input.setRawMode!(true);
    output.write(message);
    return new Promise((resolve, reject) => {
      let answer = '';
      let done = false;
      let listening = false;
      const finish = (rest: string, error?: Error) => {
        done = true;
        input.off('data', onData);
        input.pause();
        this.typedAhead = rest;
        // A stream opened for this prompt alone is closed now: what it read but did not hand over yet is the next answer's.
        if (close && listening) for (let chunk = input.read() as string | null; chunk !== null; chunk = input.read() as string | null) this.typedAhead += chunk;
        if (raw) input.setRawMode!(false);
        output.write('\n');
        close?.();
        if (error) reject(error);
        else resolve(answer);
      };
      const onData = (chunk: Buffer | string) => {
        const chars = [...chunk.toString('utf8')];
        for (const [i, ch] of chars.entries()) {
          if (ch === CTRL_C) return finish('', new CancelledError());
          if (ch === '\r' || ch === '\n' || ch === CTRL_D) return finish(chars.slice(ch === '\r' && chars[i + 1] === '\n' ? i + 2 : i + 1).join(''));
          if (BACKSPACE.includes(ch)) {
            if (answer.length > 0) {
              answer = [...answer].slice(0, -1).join('');
              if (echo) output.write('\b \b');
            }
            continue;
          }
          answer += ch;
          if (echo) output.write(ch);
        }
      };
      input.setEncoding('utf8');
      const ahead = this.typedAhead;
      this.typedAhead = '';
      if (ahead) onData(ahead);
      if (done) return;
      listening = true;
      input.on('data', onData);
      input.resume();
    });
  }
}
