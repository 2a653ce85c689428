import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { AssertionSource } from '../config/schema.js';
import { CliError, ExitCode } from '../errors.js';
import { fsReason } from '../fs/errors.js';
import { printable } from '../io/terminal-text.js';
import { childEnvironment } from '../mcp/child-env.js';
import { displayPath, type Env } from '../paths.js';
import { scrub } from './errors.js';
import { sameIssuer } from './records.js';
import { checkOAuthUrl, urlForMessage } from './url-policy.js';

/** Where a pod's service account token lies (a projected token with its own audience is usually mounted elsewhere). */
export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
/** A JWT is a few kilobytes; anything much larger is not one. */
const MAX_ASSERTION_BYTES = 64 * 1024;
const COMMAND_TIMEOUT_MS = 60_000;
const FETCH_TIMEOUT_MS = 30_000;

/** The claims mcp-cli reads before it sends a JWT: none of them is secret. */
export interface AssertionClaims {
  iss?: unknown;
  sub?: unknown;
  aud?: unknown;
  exp?: unknown;
}

/** A workload's JWT as read from its source, with its claims and where it came from, in words (never the value). */
export interface WorkloadAssertion {
  jwt: string;
  claims: AssertionClaims;
  from: string;
}

export interface AssertionIo {
  env: Env;
  platform: NodeJS.Platform;
}

/** The claims of a JWT (its second part), or undefined when the text is not a JWT. The signature is the authorization server's to check. */
export function jwtClaims(jwt: string): AssertionClaims | undefined {
  const parts = jwt.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as AssertionClaims) : undefined;
  } catch {
    return undefined;
  }
}

/** Where a source reads from, in words for messages. */
export function describeSource(source: AssertionSource, io: AssertionIo, issuer: string): string {
  switch (source.source) {
    case 'file':
      return `the file ${displayPath(filePath(source, io), io.env)}`;
    case 'kubernetes':
      return `the service account token ${displayPath(filePath(source, io), io.env)}`;
    case 'github-actions':
      return `GitHub Actions' OIDC token (audience ${source.audience ?? issuer})`;
    case 'command':
      return `the output of ${source.command}`;
    case 'env':
      return `the environment variable ${source.variable}`;
  }
}

function filePath(source: AssertionSource, io: AssertionIo): string {
  const path = source.path ?? SERVICE_ACCOUNT_TOKEN;
  return resolve(path.replace(/^~(?=\/|$)/, io.env.HOME || homedir()));
}

/**
 * Reads the workload's JWT afresh from its source (a file or a token is rotated under us, GitHub Actions
 * issues a new one each time): a file, the pod's token, GitHub Actions' OIDC token for the audience
 * (default the authorization server's issuer), a program's standard output, or a variable. What is read
 * must be a JWT; nothing is checked against the server yet (checkAssertion).
 */
export async function readAssertion(source: AssertionSource, io: AssertionIo, issuer: string, server: string): Promise<WorkloadAssertion> {
  const from = printable(describeSource(source, io, issuer));
  let jwt: string;
  switch (source.source) {
    case 'file':
    case 'kubernetes':
      jwt = await readJwtFile(filePath(source, io), from, source.source === 'kubernetes');
      break;
    case 'github-actions':
      jwt = await githubActionsToken(io.env, source.audience ?? issuer);
      break;
    case 'command':
      jwt = await commandOutput(source, io, from);
      break;
    case 'env': {
      const value = io.env[source.variable!]?.trim();
      if (!value)
        throw new CliError(
          `the environment variable ${source.variable} that '${server}' takes its JWT from is not set`,
          ExitCode.authRequired,
          'in GitLab CI, name it under id_tokens: in the job (with aud: the authorization server); elsewhere, export it before mcp-cli runs',
        );
      jwt = value;
      break;
    }
  }
  const claims = jwtClaims(jwt);
  if (!claims) throw new CliError(`${from} does not hold a JWT (three base64url parts separated by dots), so '${server}' cannot present it`);
  return { jwt, claims, from };
}

async function readJwtFile(path: string, from: string, kubernetes: boolean): Promise<string> {
  let handle;
  try {
    // Non-blocking, so that a FIFO named here does not hang the command.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CliError(
      `cannot read ${from}: ${fsReason(error)}`,
      1,
      missing
        ? kubernetes
          ? 'mount a projected service account token there (serviceAccountToken with the audience of the authorization server), or set oauth.assertion.path'
          : 'write the JWT there before mcp-cli runs, or correct oauth.assertion.path'
        : undefined,
    );
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new CliError(`cannot read ${from}: it is not a regular file`);
    if (info.size > MAX_ASSERTION_BYTES) throw new CliError(`${from} is larger than a JWT can be (${info.size} bytes)`);
    return (await handle.readFile('utf8')).trim();
  } finally {
    await handle.close();
  }
}

/**
 * GitHub Actions' OIDC token (docs.github.com, "Configuring OpenID Connect in cloud providers"): a GET to
 * ACTIONS_ID_TOKEN_REQUEST_URL with the audience, authorized by ACTIONS_ID_TOKEN_REQUEST_TOKEN, answers
 * `{"value": JWT}`. The request token goes to that URL only, over https, and no redirect is followed.
 */
async function githubActionsToken(env: Env, audience: string): Promise<string> {
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!requestUrl || !requestToken)
    throw new CliError(
      'GitHub Actions offers no OIDC token here: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set',
      ExitCode.authRequired,
      'run in a GitHub Actions job with `permissions: id-token: write`',
    );
  const url = checkOAuthUrl(requestUrl, 'GitHub Actions token URL (ACTIONS_ID_TOKEN_REQUEST_URL)');
  url.searchParams.set('audience', audience);
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `bearer ${requestToken}`, accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    throw new CliError(
      `could not reach GitHub Actions for an OIDC token at ${urlForMessage(url)}: ${printable(scrub(String((error as Error).message), [requestToken]))}`,
    );
  }
  const text = await response.text();
  if (!response.ok)
    throw new CliError(
      `GitHub Actions refused an OIDC token for the audience ${printable(audience)} (HTTP ${response.status})`,
      ExitCode.authRequired,
      response.status === 401 || response.status === 403 ? 'give the job `permissions: id-token: write`' : undefined,
    );
  let value: unknown;
  try {
    value = (JSON.parse(text) as { value?: unknown }).value;
  } catch {
    value = undefined;
  }
  if (typeof value !== 'string' || value === '') throw new CliError(`GitHub Actions answered ${urlForMessage(url)} without a token ("value")`);
  return value;
}

type Spawn = (
  command: string,
  args: string[],
  options: { env: Record<string, string>; cwd?: string; stdio: ['ignore', 'pipe', 'pipe']; windowsHide: boolean },
) => ChildProcess;

/** cross-spawn on Windows (it finds `.cmd` shims), Node's own spawn elsewhere; no shell anywhere. */
async function spawnFor(platform: NodeJS.Platform): Promise<Spawn> {
  if (platform !== 'win32') return nodeSpawn as Spawn;
  const mod = await import('cross-spawn');
  return ((mod as { default?: Spawn }).default ?? (mod as unknown as Spawn)) as Spawn;
}

/**
 * Starts the program as a stdio server is started (no shell, in the config file's directory, with the
 * environment a server inherits plus its own `env`: no mcp-cli credential), and takes its standard
 * output, trimmed, as the JWT. A program that fails says so with the last line of its error output.
 */
async function commandOutput(source: AssertionSource, io: AssertionIo, from: string): Promise<string> {
  const spawn = await spawnFor(io.platform);
  const child = spawn(source.command!, source.args ?? [], {
    env: childEnvironment(io.env, source.env ?? {}),
    ...(source.cwd !== undefined ? { cwd: source.cwd } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const stdout: Buffer[] = [];
  let size = 0;
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    size += d.length;
    if (size <= MAX_ASSERTION_BYTES) stdout.push(d);
    else child.kill('SIGKILL');
  });
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4096)));
  const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
  const ended = await new Promise<{ code: number | null; error?: NodeJS.ErrnoException }>((done) => {
    child.once('error', (error: NodeJS.ErrnoException) => done({ code: null, error }));
    child.once('close', (code) => done({ code }));
  }).finally(() => clearTimeout(timer));
  if (ended.error) {
    // spawn says ENOENT for a missing working directory too: name the one that is missing.
    const noDirectory = ended.error.code === 'ENOENT' && source.cwd !== undefined && !existsSync(source.cwd);
    const reason = noDirectory
      ? `its directory ${printable(source.cwd!)} does not exist (oauth.assertion.cwd)`
      : ended.error.code === 'ENOENT'
        ? 'not found'
        : (ended.error.code ?? ended.error.message);
    throw new CliError(`cannot start ${from.replace(/^the output of /, '')}: ${reason}`);
  }
  const output = Buffer.concat(stdout).toString('utf8').trim();
  if (size > MAX_ASSERTION_BYTES) throw new CliError(`${from} is larger than a JWT can be; it was not used`);
  if (ended.code !== 0) {
    const last = printable(scrub(stderr.trim().split('\n').at(-1) ?? '', [output])).slice(0, 200);
    throw new CliError(
      `${from.replace(/^the output of /, 'the command ')} ${ended.code === null ? 'was stopped' : `exited with ${ended.code}`}${last ? `: ${last}` : ''}`,
    );
  }
  return output;
}

/** The claim values as text for a message: not secrets, but from outside, so made safe for a terminal. */
const claimText = (value: unknown) => printable(Array.isArray(value) ? value.map(String).join(', ') : String(value)).slice(0, 200);

/** What the user should change when the JWT is for another audience, by source. */
function audienceHint(source: AssertionSource, issuer: string): string {
  switch (source.source) {
    case 'github-actions':
      return `set oauth.assertion.audience to ${issuer} (or leave it out: the issuer is the default)`;
    case 'kubernetes':
      return `set the audience of the projected token (serviceAccountToken.audience in the pod spec) to ${issuer}`;
    default:
      return `have the platform issue the JWT for the audience ${issuer}`;
  }
}

/**
 * What can be checked here before the JWT goes anywhere: that it has not expired, and that its audience
 * (when it names one) is this authorization server, its issuer or its token endpoint (RFC 7523 section
 * 3). A JWT that fails either is never sent: the server would refuse it, and one for another audience
 * must not be shown to this one.
 */
export function checkAssertion(
  assertion: WorkloadAssertion,
  source: AssertionSource,
  context: { server: string; issuer: string; tokenEndpoint: string; now: Date },
): void {
  const { claims, from } = assertion;
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= context.now.getTime())
    throw new CliError(
      `the JWT from ${from} expired at ${new Date(claims.exp * 1000).toISOString()}, so it was not sent to ${urlForMessage(context.issuer)}`,
      ExitCode.authRequired,
      source.source === 'file' || source.source === 'env'
        ? 'have the platform write a fresh one before mcp-cli runs'
        : source.source === 'kubernetes'
          ? 'the kubelet renews a projected token before it expires: check that the pod mounts a projected token (serviceAccountToken), not a copy'
          : undefined,
    );
  if (claims.aud === undefined) return;
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const fits = audiences.some((aud) => typeof aud === 'string' && (sameIssuer(aud, context.issuer) || aud === context.tokenEndpoint));
  if (!fits)
    throw new CliError(
      `the JWT from ${from} is for the audience ${claimText(claims.aud)}, not the authorization server ${urlForMessage(context.issuer)} of '${context.server}', so it was not sent`,
      ExitCode.authRequired,
      audienceHint(source, context.issuer),
    );
}

/**
 * Which claim an authorization server's refusal most likely names, from its error description, with the
 * value the JWT carries for it: what the user compares with the server's trust policy.
 */
export function refusedClaim(description: string | undefined, claims: AssertionClaims): string | undefined {
  const text = (description ?? '').toLowerCase();
  const named = (claim: keyof AssertionClaims, label: string) => `${label} (${claim}: ${claims[claim] === undefined ? 'none' : claimText(claims[claim])})`;
  if (/\baud(ience)?\b/.test(text)) return named('aud', 'the audience');
  if (/\bexp(ired|iry|iration)?\b/.test(text)) return named('exp', 'the expiry');
  if (/\biss(uer)?\b/.test(text)) return named('iss', 'the issuer');
  if (/\bsub(ject)?\b/.test(text)) return named('sub', 'the subject');
  if (/signature|\bkey\b|jwks/.test(text))
    return `the signature (the authorization server does not trust the key of the issuer ${claims.iss === undefined ? '(none named)' : claimText(claims.iss)})`;
  return undefined;
}
