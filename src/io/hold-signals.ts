/** The signals that end a process which has no handler of its own for them. */
const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** How long an ending signal waits at most for the holds to be let go (the keychain's default deadline). */
export const SIGNAL_HOLD_MS = 3000;

const holds = new Set<object>();
let arrived: NodeJS.Signals | undefined;
let deadline: NodeJS.Timeout | undefined;

function onSignal(signal: NodeJS.Signals): void {
  // Another handler is listening: this process has chosen what the signal does, not us.
  if (process.listenerCount(signal) > 1) return;
  // A second Ctrl-C is not kept waiting.
  if (arrived) return letGo();
  arrived = signal;
  deadline = setTimeout(letGo, SIGNAL_HOLD_MS);
}

function letGo(): void {
  for (const signal of ENDING_SIGNALS) process.off(signal, onSignal);
  clearTimeout(deadline);
  const signal = arrived;
  holds.clear();
  arrived = undefined;
  deadline = undefined;
  // Raised again with no handler of ours: the process ends of it as it would have.
  if (signal) process.kill(process.pid, signal);
}

/**
 * Holds off SIGINT, SIGTERM and SIGHUP that would end the process until every hold is let go (at
 * most SIGNAL_HOLD_MS after the signal, or until a second one). For requests a peer cannot bear
 * to see abandoned: gnome-keyring-daemon aborts when a client closes its connection while an
 * encrypted-session request is in flight, taking every keyring of the user's session down with it.
 * Returns the function that lets go of this hold (calling it again does nothing).
 */
export function holdEndingSignals(): () => void {
  if (holds.size === 0) for (const signal of ENDING_SIGNALS) process.on(signal, onSignal);
  const hold = {};
  holds.add(hold);
  return () => {
    if (holds.delete(hold) && holds.size === 0) letGo();
  };
}
