// The harness that bench/*.ts files use: interleaved runs, ratio of medians.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli.js');

export interface Subject {
  name: string;
  run(): Promise<void>;
}

export interface Comparison {
  label: string;
  goal: number;
  runs?: number;
  warmup?: number;
  baseline: Subject;
  subject: Subject;
}

export interface Result {
  label: string;
  baseline: string;
  subject: string;
  baselineMs: number;
  subjectMs: number;
  ratio: number;
  goal: number;
  met: boolean;
  /** For a figure checked against a limit (not a ratio): its unit; `subjectMs` is then the figure and `baselineMs` the limit. */
  unit?: string;
}

export interface Figure {
  label: string;
  value: number;
  unit: string;
  /** The most the figure may be. */
  limit: number;
}

export interface BenchHarness {
  compare(comparison: Comparison): Promise<Result>;
  /** Records a measured figure (memory, say) against its limit. */
  figure(figure: Figure): Result;
  /** Runs a command to completion; rejects on a non-zero exit. */
  exec(command: string, args: string[], options?: { env?: NodeJS.ProcessEnv; input?: string }): Promise<void>;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function exec(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.trim()}`))));
    child.stdin.end(options.input ?? '');
  });
}

export async function time(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** A harness that records every comparison it makes into `results`. */
export function createHarness(results: Result[]): BenchHarness {
  return {
    exec,
    figure(f) {
      const result: Result = {
        label: f.label,
        baseline: 'limit',
        subject: 'measured',
        baselineMs: f.limit,
        subjectMs: f.value,
        ratio: f.value / f.limit,
        goal: 1,
        met: f.value <= f.limit,
        unit: f.unit,
      };
      results.push(result);
      console.log(`${result.met ? 'ok  ' : 'MISS'} ${f.label}: ${f.value.toFixed(1)} ${f.unit} (limit ${f.limit} ${f.unit})`);
      return result;
    },
    async compare(c) {
      const runs = c.runs ?? 15;
      for (let i = 0; i < (c.warmup ?? 2); i++) {
        await c.baseline.run();
        await c.subject.run();
      }
      const base: number[] = [];
      const subj: number[] = [];
      // Interleaved so that a noisy moment hurts both sides alike.
      for (let i = 0; i < runs; i++) {
        base.push(await time(c.baseline.run));
        subj.push(await time(c.subject.run));
      }
      const baselineMs = median(base);
      const subjectMs = median(subj);
      const ratio = subjectMs / baselineMs;
      const result: Result = {
        label: c.label,
        baseline: c.baseline.name,
        subject: c.subject.name,
        baselineMs,
        subjectMs,
        ratio,
        goal: c.goal,
        met: ratio <= c.goal,
      };
      results.push(result);
      console.log(
        `${result.met ? 'ok  ' : 'MISS'} ${c.label}: ${subjectMs.toFixed(1)} ms vs ${baselineMs.toFixed(1)} ms = ${ratio.toFixed(2)}x (goal <= ${c.goal}x)\n` +
          `     subject: ${c.subject.name}\n     baseline: ${c.baseline.name}`,
      );
      return result;
    },
  };
}
