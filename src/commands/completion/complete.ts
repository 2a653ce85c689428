import { Readable, Writable } from 'node:stream';
import type { Ctx, Io } from '../../context.js';
import type { Slot } from '../../cli/completion-slot.js';
import type { Prompter } from '../../io/prompter.js';
import { hasUnprintable } from '../../io/terminal-text.js';
import { withFactory } from '../../services/factory.js';

/** The namespaces every store has, before any token is listed. */
const NAMESPACES = ['bearer', 'api-key', 'oauth', 'generic'];

/** How long a lookup may take before completion goes on without it: a shell waits on every Tab. */
const LOOKUP_MS = 1500;

const noPrompts: Prompter = {
  secret: async () => {
    throw new Error('no prompt while completing');
  },
  confirm: async () => {
    throw new Error('no prompt while completing');
  },
  ask: async () => {
    throw new Error('no prompt while completing');
  },
};

/**
 * The IO for looking names up while the shell waits on a Tab: no terminal, so that no passphrase
 * or confirmation is ever asked (a backend that would need one lists nothing), and no messages.
 */
function silent(ctx: Ctx): Ctx {
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  return withFactory(
    Object.create(ctx, {
      stdin: { value: Readable.from([]) },
      stderr: { value: discard },
      tty: { value: { stdin: false, stdout: false, stderr: false, controlling: false } },
      prompter: { value: noPrompts },
    }) as Io,
  );
}

async function within<T>(work: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), LOOKUP_MS)));
  try {
    return await Promise.race([work.catch(() => fallback), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the active backend lists without asking anything; nothing when it would have to ask. */
async function storedTokens(ctx: Ctx) {
  return within(
    ctx.store().then((s) => s.manager.list()),
    [],
  );
}

async function dynamicWords(slot: Slot, ctx: Ctx): Promise<string[]> {
  switch (slot.dynamic) {
    case 'servers': {
      const config = await within(ctx.configIfAny(), undefined);
      return config ? Object.keys(config.servers) : [];
    }
    case 'tokens':
      return (await storedTokens(ctx)).filter((t) => slot.namespace === undefined || t.namespace === slot.namespace).map((t) => t.name);
    case 'namespaces':
      return [...NAMESPACES, ...(await storedTokens(ctx)).map((t) => t.namespace)];
    default:
      return [];
  }
}

/**
 * Prints the candidates for the word being completed (`current`), one a line: flags only when it
 * starts with `-`; `:files` alone when the shell should complete a file name. With `descriptions`,
 * a subcommand or flag is followed by a tab and what it does (the command table's words).
 */
export async function run(slot: Slot, current: string, ctx: Ctx, options: { descriptions?: boolean } = {}): Promise<void> {
  if (slot.dynamic === 'files' && !current.startsWith('-')) {
    ctx.stdout.write(':files\n');
    return;
  }
  const flag = current.startsWith('-');
  const words = flag
    ? slot.words.filter((w) => w.startsWith('-'))
    : [...slot.words.filter((w) => !w.startsWith('-')), ...(await dynamicWords(slot, silent(ctx)))];
  // A name with white space, a control character or a shell metacharacter would break the
  // shell's list or be expanded by it (names come from files and backends): left out.
  const usable = [...new Set(words)].filter((w) => w.startsWith(current) && !/[\s$`\\"'(){};|&<>*?[\]!#~]/.test(w) && !hasUnprintable(w));
  const line = (w: string) => {
    const description = options.descriptions ? slot.descriptions?.[w] : undefined;
    return description ? `${w}\t${description}\n` : `${w}\n`;
  };
  ctx.stdout.write(usable.map(line).join(''));
}
