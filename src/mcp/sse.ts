/** One server-sent event (HTML Living Standard, "event stream interpretation"). */
export interface ServerSentEvent {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Reads an event stream as it arrives: `feed` takes decoded text in any pieces and returns the events
 * completed by it. `retry` reports a reconnection time the server asks for.
 */
export function eventStreamParser(onRetry: (ms: number) => void): { feed(text: string): ServerSentEvent[] } {
  let buffer = '';
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  let sawId = false;
  const line = (text: string, out: ServerSentEvent[]) => {
    if (text === '') {
      if (data.length > 0 || sawId) out.push({ ...(sawId ? { id: id ?? '' } : {}), ...(event !== undefined ? { event } : {}), data: data.join('\n') });
      data = [];
      event = undefined;
      sawId = false;
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) {
      id = value;
      sawId = true;
    } else if (field === 'retry' && /^\d+$/.test(value)) onRetry(Number(value));
  };
  return {
    feed(text) {
      buffer += text;
      const out: ServerSentEvent[] = [];
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer[i];
        if (c !== '\n' && c !== '\r') continue;
        // A CR at the very end may be the first half of a CRLF: wait for the next piece.
        if (c === '\r' && i === buffer.length - 1) break;
        line(buffer.slice(start, i), out);
        if (c === '\r' && buffer[i + 1] === '\n') i++;
        start = i + 1;
      }
      buffer = buffer.slice(start);
      return out;
    },
  };
}
