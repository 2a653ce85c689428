import type { Client, ElicitResult } from '@modelcontextprotocol/client';
import { canPrompt, type Ctx } from '../../context.js';
import { CancelledError } from '../../errors.js';
import { oneLine, printable } from '../../io/terminal-text.js';
import { contentOf, defaultsOf, formOf, parseAnswer, type FieldValue, type FormField } from '../../mcp/elicitation-form.js';

export interface QuestionOptions {
  /** `--accept-defaults`: accept what the server proposes, without asking, when every required field has a default. */
  acceptDefaults?: boolean;
}

/** How much of the server's words a question shows: enough to read, not a screenful of anything. */
const MESSAGE_CHARS = 2000;
const LABEL_CHARS = 200;
const DESCRIPTION_CHARS = 500;

const clip = (text: string, chars: number) => (text.length > chars ? `${text.slice(0, chars)}…` : text);

type Answer = Pick<ElicitResult, 'action' | 'content'>;

/**
 * How a command answers a server that asks the user something in the middle of a request (an
 * elicitation: a 2025 request, or a request inside a 2026 `input_required` result). With
 * `--accept-defaults`: the server's defaults, or a decline when a required field has none. On a
 * terminal: the form, each field prefilled with its default (Enter keeps it); no answers it with a
 * decline, Ctrl-C with a cancel. Without a terminal: a decline. What the server says is shown masked
 * and printable; one question at a time.
 */
export function answerQuestions(ctx: Ctx, server: string, options: QuestionOptions): (client: Client, mask: (text: string) => string) => void {
  return (client, mask) => {
    const shown = (text: string, chars: number) => printable(clip(mask(text), chars));
    const label = (text: string) => oneLine(clip(mask(text), LABEL_CHARS));
    const say = (line: string) => ctx.stderr.write(`${line}\n`);

    const answer = async (params: { message?: unknown; requestedSchema?: unknown }): Promise<Answer> => {
      const message = typeof params.message === 'string' ? params.message : '';
      const asks = `server '${server}' asks: ${shown(message, MESSAGE_CHARS)}`;
      const form = formOf(params.requestedSchema);
      if ('unsupported' in form) {
        say(`${asks} (declined: ${label(form.unsupported)})`);
        return { action: 'decline' };
      }
      if (options.acceptDefaults) {
        const { content, missing } = defaultsOf(form.fields);
        if (missing.length > 0) {
          say(`${asks} (declined: --accept-defaults, and no default for ${missing.map(label).join(', ')})`);
          return { action: 'decline' };
        }
        say(`${asks} (accepted with its defaults)`);
        return { action: 'accept', content };
      }
      if (!canPrompt(ctx)) {
        say(`${asks} (declined: no terminal to answer on; --accept-defaults accepts the server's defaults)`);
        return { action: 'decline' };
      }
      say(asks);
      try {
        if (!(await ctx.prompter.confirm('Answer it?'))) return { action: 'decline' };
        const answers: [string, FieldValue | undefined][] = [];
        for (const field of form.fields) answers.push([field.name, await fillIn(ctx, field, { label, shown })]);
        return { action: 'accept', content: contentOf(answers) };
      } catch (error) {
        if (error instanceof CancelledError) return { action: 'cancel' };
        throw error;
      }
    };

    let turn: Promise<unknown> = Promise.resolve();
    client.registerCapabilities({ elicitation: { form: {} } });
    client.setRequestHandler('elicitation/create', (request) => {
      const next = turn.then(() => answer(request.params as { message?: unknown; requestedSchema?: unknown }));
      turn = next.catch(() => undefined);
      return next;
    });
  };
}

function hintOf(field: FormField, label: (text: string) => string): string {
  const shownDefault = (value: FieldValue) => {
    if (field.kind === 'boolean') return value ? 'yes' : 'no';
    if (field.kind === 'choice' || field.kind === 'choices') {
      const values = Array.isArray(value) ? value : [String(value)];
      return values.map((v) => label(field.choices.find((c) => c.value === v)?.label ?? v)).join(', ');
    }
    return label(String(value));
  };
  const parts = [
    field.kind === 'boolean' ? 'y/n' : field.kind === 'choices' ? 'numbers, comma-separated' : field.kind === 'choice' ? 'number' : undefined,
    field.default !== undefined ? `Enter for ${shownDefault(field.default)}` : field.required ? 'required' : 'Enter to leave out',
  ];
  return parts.filter(Boolean).join('; ');
}

/** One field, asked until the answer fits; undefined when an optional field without a default is left empty. */
async function fillIn(
  ctx: Ctx,
  field: FormField,
  text: { label: (text: string) => string; shown: (text: string, chars: number) => string },
): Promise<FieldValue | undefined> {
  if (field.description !== undefined) ctx.stderr.write(`  ${text.shown(field.description, DESCRIPTION_CHARS).replace(/\n/g, '\n  ')}\n`);
  if (field.kind === 'choice' || field.kind === 'choices') field.choices.forEach((c, i) => ctx.stderr.write(`    ${i + 1}) ${text.label(c.label)}\n`));
  for (;;) {
    const typed = await ctx.prompter.ask(`  ${text.label(field.label)} (${hintOf(field, text.label)}): `);
    if (typed === '') {
      if (field.default !== undefined) return field.default;
      if (!field.required) return undefined;
      ctx.stderr.write('  an answer is required (Ctrl-C cancels)\n');
      continue;
    }
    const parsed = parseAnswer(field, typed);
    if ('value' in parsed) return parsed.value;
    ctx.stderr.write(`  ${parsed.problem}\n`);
  }
}
