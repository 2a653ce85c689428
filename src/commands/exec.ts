import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Ctx } from '../context.js';
import { resolveServers } from '../config/resolve.js';
import type { StdioServerEntry } from '../config/schema.js';
import { STARTED_BY, type Starter } from '../agent/started-by.js';
import { credentialVariable } from '../credential-variables.js';
import { CliError } from '../errors.js';
import { expandEarlier, parseEnvFile, parseEnvOption, type Assignment } from '../exec/env-file.js';
import type { Env } from '../paths.js';
import { maskingByteStream } from '../masking/byte-stream.js';
import { SecretSet } from '../masking/secret-set.js';
import { runChild, type Signals } from '../run/child.js';
import { storeLookup } from '../services/factory.js';

export interface ExecOptions {
  env?: string[];
  envFile?: string[];
  /** False with `--no-masking`: the program's output is relayed untouched. */
  masking?: boolean;
}

export interface ExecDeps {
  signals: Signals;
}

/**
 * mcp-cli's environment without its own credentials (the program gets only the tokens it is given),
 * with the program's variables on top, and the mark that keeps the program (and what it starts)
 * away from the unlock session (src/agent/started-by.ts).
 */
export function programEnvironment(parent: Env, variables: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) if (value !== undefined && !credentialVariable(name)) env[name] = value;
  return { ...env, ...variables, [STARTED_BY]: 'exec' satisfies Starter };
}

function readEnvFile(path: string, ctx: Ctx): Assignment[] {
  let text: string;
  try {
    text = readFileSync(resolve(ctx.cwd, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'it does not exist'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (code ?? (error as Error).message);
    throw new CliError(`cannot read the env file ${path}: ${why}`);
  }
  return parseEnvFile(text, path);
}

/** The variables in the order they apply: every env file in turn, then each --env; a later one wins, and a value may name an earlier one. */
export function collectAssignments(options: ExecOptions, ctx: Ctx): Map<string, Assignment> {
  const all = [...(options.envFile ?? []).flatMap((file) => readEnvFile(file, ctx)), ...(options.env ?? []).map((arg, i) => parseEnvOption(arg, i))];
  return new Map(expandEarlier(all).map((a) => [a.name, a]));
}

const USAGE = 'usage: mcp-cli exec [--env NAME=VALUE]... [--env-file FILE] -- COMMAND [ARGS...]';

/** The program's words must be all that follows `--` in the raw command line: an option after `--` is the program's, never mcp-cli's. */
export function requireAfterDashes(argv: string[], raw: string[]): void {
  const dashes = raw.indexOf('--');
  if (argv.length > 0 && (dashes < 0 || raw.length - dashes - 1 !== argv.length)) throw new CliError('put the program after --', 1, USAGE);
}

/**
 * `mcp-cli exec -- COMMAND [ARGS...]`, as `op run` does: resolves the variables' references (a missing
 * token exits 4 before the program starts), starts the program with mcp-cli's environment (less
 * its own credentials) plus them, relays its output with every resolved secret masked, passes signals
 * on, and resolves with its exit status.
 */
export async function run(argv: string[], options: ExecOptions, ctx: Ctx, deps: ExecDeps): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === '') throw new CliError('no program to run', 1, USAGE);
  const assignments = collectAssignments(options, ctx);

  const entry: StdioServerEntry = {
    transport: 'stdio',
    command,
    args: [],
    env: Object.fromEntries([...assignments.values()].map((a) => [a.name, a.template])),
  };
  const where = (_server: string, field: string) => {
    const name = field.replace(/^env\./, '');
    const origin = assignments.get(name)?.origin ?? '--env';
    return origin === '--env' ? `--env ${name}` : `${name} (${origin})`;
  };
  // The store is opened only if some value names a token; reads are audited as resolved, as for server entries.
  const [resolved] = await resolveServers({ exec: entry }, ['exec'], {
    lookup: storeLookup(ctx),
    env: ctx.env,
    now: ctx.now(),
    where,
    variablesMayDecideDestination: true,
  });
  // The values from the token store, in every spelling; the program's own ${VAR} values are its business.
  const secrets = new SecretSet(resolved!.secrets);
  const masked = options.masking !== false && secrets.active;

  return runChild(
    { command, args, env: programEnvironment(ctx.env, (resolved!.entry as StdioServerEntry).env) },
    {
      // The program reads the terminal (or pipe) itself; only its output passes through mcp-cli, to be masked.
      stdin: 'inherit',
      stdout: masked ? { to: ctx.stdout, through: () => maskingByteStream(secrets) } : 'inherit',
      stderr: masked ? { to: ctx.stderr, through: () => maskingByteStream(secrets) } : 'inherit',
    },
    {
      signals: deps.signals,
      // On a terminal, Ctrl-C reaches the program directly (it is in the foreground process group): not twice.
      forward: (signal) => !(signal === 'SIGINT' && ctx.tty.stdin),
      platform: ctx.platform,
      label: command,
    },
  );
}
