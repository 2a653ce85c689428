// Store errors as the CLI reports them: each kind, with its backend, becomes a message, a hint and an exit code.
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asCliError, storeErrorToCli } from '../../src/commands/shared/store-errors.js';
import { AmbiguousTokenError, CancelledError, CliError, TokenNotFoundError } from '../../src/errors.js';
import { withFileLock } from '../../src/fs/lock.js';
import type { Prompter } from '../../src/io/prompter.js';
import { parseEnvelope } from '../../src/stores/encrypted/format.js';
import { passphraseSource } from '../../src/stores/encrypted/passphrase.js';
import { EncryptedFileStore } from '../../src/stores/encrypted/store.js';
import { STORE_ERROR_KINDS, StoreError } from '../../src/stores/errors.js';
import { requestedBackend } from '../../src/stores/selection.js';
import { encodeMetadata } from '../../src/stores/vault/metadata.js';

/** Answers every question with nothing. */
const noPrompt: Prompter = { secret: async () => '', confirm: async () => false, ask: async () => '' };

async function thrown(run: () => unknown): Promise<StoreError> {
  const error = await (async () => run())().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

const reported = (error: StoreError) => {
  const cli = storeErrorToCli(error);
  return { message: cli.message, hint: cli.hint, exitCode: cli.exitCode };
};

describe('the translation of each kind', () => {
  it('not-found: a token points at `token list`; a token file not made yet at `token set`', async () => {
    expect(reported(new TokenNotFoundError('gh', ['bearer']))).toEqual({
      message: "token 'gh' not found in namespace 'bearer'",
      hint: 'run `mcp-cli token list` to see stored tokens',
      exitCode: 1,
    });
    const dir = await mkdtemp(join(tmpdir(), 'store-errors-'));
    try {
      const store = new EncryptedFileStore(join(dir, 'tokens.enc'), passphraseSource({ env: {}, prompter: noPrompt, canPrompt: false }), 'tokens.enc');
      for (const error of [await thrown(() => store.unlockWithPassphrase()), await thrown(() => store.changePassphrase('new'))]) {
        expect(error).toMatchObject({ kind: 'not-found', backend: 'encrypted', remedy: 'store a token first; the file is created then' });
        expect(reported(error)).toEqual({
          message: 'there is no token file at tokens.enc yet',
          hint: 'store a token first (`mcp-cli token set NAME`); the file is created then',
          exitCode: 1,
        });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ambiguous: names the flag and the first namespace', () => {
    const error = new AmbiguousTokenError('svc', ['bearer', 'team']);
    expect(error).toMatchObject({ kind: 'ambiguous', remedy: 'name the namespace of the one you mean' });
    expect(reported(error)).toEqual({
      message: "token 'svc' exists in several namespaces: bearer, team",
      hint: 'choose one with --namespace, e.g. --namespace bearer',
      exitCode: 1,
    });
  });

  it('locked: the encrypted file names the ways to give its passphrase; a keychain keeps its remedy', async () => {
    const error = await thrown(() => passphraseSource({ env: {}, prompter: noPrompt, canPrompt: false }).get('unlock', 'f'));
    expect(error).toMatchObject({ kind: 'locked', backend: 'encrypted' });
    expect(error.remedy).toBeUndefined();
    expect(reported(error)).toEqual({
      message: 'a passphrase is needed for the encrypted token file f, and there is no terminal to ask for it',
      hint: 'set MCP_CLI_ENCRYPTION_KEY, run the command in a terminal, or unlock the file for a while with `mcp-cli token unlock`',
      exitCode: 1,
    });
    const remedy = 'unlock it (log in to the desktop session, or unlock it in Seahorse), then run the command again';
    expect(
      reported(new StoreError('locked', 'the OS keychain (secret-service) is locked: …', { backend: 'secret-service', remedy, selection: 'auto' })).hint,
    ).toBe(`${remedy}; to use another backend instead, choose it explicitly, e.g. --token-backend encrypted`);
    expect(
      reported(
        new StoreError('locked', "token backend 'secret-service' (chosen by --token-backend) is unavailable: …", {
          backend: 'secret-service',
          remedy,
          selection: 'explicit',
        }),
      ).hint,
    ).toBe(remedy);
  });

  it('unavailable: a failing keychain points at `token backends`; Vault keeps its own remedy', () => {
    const keychain = new StoreError('unavailable', "the Secret Service failed to read item 'bearer:x' of service 'mcp-cli': no answer within 3000 ms", {
      backend: 'secret-service',
      remedy: 'check that the keychain is unlocked and that this program may use it',
    });
    expect(reported(keychain)).toEqual({
      message: "the Secret Service failed to read item 'bearer:x' of service 'mcp-cli': no answer within 3000 ms",
      hint: 'check that the keychain is unlocked and that this program may use it; `mcp-cli token backends` shows its state',
      exitCode: 1,
    });
    const sealed = new StoreError('unavailable', 'Vault at http://v is sealed', {
      backend: 'vault',
      remedy: 'unseal it (`vault operator unseal`) or ask your Vault operator',
    });
    expect(reported(sealed)).toEqual({
      message: 'Vault at http://v is sealed',
      hint: 'unseal it (`vault operator unseal`) or ask your Vault operator',
      exitCode: 1,
    });
    expect(reported(new StoreError('unavailable', 'no token backend is available'))).toEqual({
      message: 'no token backend is available',
      hint: undefined,
      exitCode: 1,
    });
    const auto = new StoreError('unavailable', "token backend 'vault' is configured by the environment but unavailable: …", {
      backend: 'vault',
      selection: 'auto',
    });
    expect(reported(auto).hint).toBeUndefined();
  });

  it('no-access: the remedy as it is', () => {
    const error = new StoreError('no-access', 'Vault denied access to secret/data/x: permission denied', {
      backend: 'vault',
      remedy: 'ask your Vault administrator for a policy',
    });
    expect(reported(error)).toEqual({
      message: 'Vault denied access to secret/data/x: permission denied',
      hint: 'ask your Vault administrator for a policy',
      exitCode: 1,
    });
  });

  it('conflict: a lock held too long', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'store-errors-'));
    try {
      const lock = join(dir, 'x.lock');
      await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), nonce: 'held' }));
      const error = await thrown(() => withFileLock(lock, async () => undefined, { timeoutMs: 50 }));
      expect(error.kind).toBe('conflict');
      expect(reported(error)).toEqual({
        message: `timed out after 0 s waiting for the lock ${lock} held by process ${process.pid} on ${hostname()}`,
        hint: 'if no mcp-cli process is running, delete the lock file',
        exitCode: 1,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('too-large: metadata beyond what Vault holds', async () => {
    const details = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`k${i}`, 'v']));
    const error = await thrown(() => encodeMetadata({ name: 'big', namespace: 'bearer', type: 'bearer', createdAt: 'c', updatedAt: 'u', details }));
    expect(error).toMatchObject({ kind: 'too-large', backend: 'vault' });
    expect(reported(error)).toEqual({
      message: "the metadata of token 'big' does not fit Vault's custom_metadata limits (64 keys of at most 128 characters)",
      hint: undefined,
      exitCode: 1,
    });
  });

  it('corrupt: a damaged file keeps its remedy; a Vault token whose version is gone names `token set`', async () => {
    const error = await thrown(() => parseEnvelope('{', 'tokens.enc'));
    expect(error).toMatchObject({ kind: 'corrupt', backend: 'encrypted' });
    expect(reported(error)).toEqual({
      message: 'tokens.enc is corrupted or truncated (not valid JSON); it was left untouched',
      hint: 'restore it from a backup, or move it aside to start a new store',
      exitCode: 1,
    });
    const newer = await thrown(() => parseEnvelope(JSON.stringify({ format: 'mcp-cli-tokens', version: 2 }), 'tokens.enc'));
    expect(reported(newer).hint).toBe('upgrade mcp-cli to read it; the file was left untouched');
    const gone = new StoreError('corrupt', "token 'x' in namespace 'team' names a version that Vault no longer returns", {
      backend: 'vault',
      remedy: 'store the token again',
    });
    expect(reported(gone).hint).toBe('store the token again with `mcp-cli token set`');
  });

  it('wrong-passphrase: the encrypted file names its variable; a passphrase refused at a prompt has no hint', async () => {
    const error = new StoreError('wrong-passphrase', 'wrong passphrase for tokens.enc', { backend: 'encrypted' });
    expect(reported(error)).toEqual({
      message: 'wrong passphrase for tokens.enc',
      hint: 'check MCP_CLI_ENCRYPTION_KEY (or the passphrase you typed); the file was left untouched',
      exitCode: 1,
    });
    const empty = await thrown(() => passphraseSource({ env: {}, prompter: noPrompt, canPrompt: true }).get('unlock', 'f'));
    expect(empty.kind).toBe('wrong-passphrase');
    expect(reported(empty)).toEqual({ message: 'the passphrase must not be empty; nothing was written', hint: undefined, exitCode: 1 });
  });

  it('invalid-setting: an unknown backend name lists the known ones', async () => {
    const error = await thrown(() => requestedBackend({ envValue: 'floppy' }));
    expect(error.kind).toBe('invalid-setting');
    expect(reported(error)).toEqual({
      message: 'unknown token backend "floppy" (from MCP_CLI_TOKEN_BACKEND)',
      hint: 'choose one of: auto, keychain, credential-manager, secret-service, vault, encrypted',
      exitCode: 1,
    });
  });

  it('io: a file operation names the path and the reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'store-errors-'));
    try {
      const path = join(dir, 'tokens.enc');
      await symlink(join(dir, 'gone'), path);
      const store = new EncryptedFileStore(path, passphraseSource({ env: {}, prompter: noPrompt, canPrompt: false }), 'tokens.enc');
      const error = await thrown(() => store.list());
      expect(error).toMatchObject({ kind: 'io', backend: 'encrypted' });
      expect(reported(error)).toEqual({
        message: `tokens.enc is a symbolic link to ${join(dir, 'gone')}, which does not exist; nothing was read or written`,
        hint: 'bring back the file it points to (is its volume mounted?), or remove the link to start a new token file',
        exitCode: 1,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('every kind is a failure (exit 1)', () => {
    for (const kind of STORE_ERROR_KINDS) expect(storeErrorToCli(new StoreError(kind, 'm')).exitCode).toBe(1);
  });
});

describe('asCliError', () => {
  it('passes CliErrors through, translates StoreErrors, and leaves anything else alone', () => {
    const cancelled = new CancelledError();
    expect(asCliError(cancelled)).toBe(cancelled);
    const translated = asCliError(new StoreError('io', 'cannot read /x: permission denied'));
    expect(translated).toBeInstanceOf(CliError);
    expect(translated?.message).toBe('cannot read /x: permission denied');
    expect(asCliError(new Error('bug'))).toBeUndefined();
  });
});
