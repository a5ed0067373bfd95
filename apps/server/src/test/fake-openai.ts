import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeMode =
  | { kind: 'stream'; tokens: string[]; delayMs?: number }
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'broken'; tokensBefore: string[] }
  /**
   * A model that calls one tool: a request without tool results gets the call (its arguments
   * streamed in pieces, as OpenAI does), one with tool results gets `answer` as text.
   */
  | { kind: 'tool-call'; name: string; arguments: object; answer: string[] };

export interface FakeOpenAI {
  baseURL: string;
  /** What the next requests get. */
  mode: FakeMode;
  /** Chat requests received (their JSON bodies). */
  requests: Array<{
    model: string;
    messages: Array<{ role: string; content: string; tool_call_id?: string }>;
    tools?: Array<{ function: { name: string } }>;
  }>;
  /** Requests whose client went away before the stream ended. */
  abortedByClient: number;
  /** Token chunks written so far, over all requests. */
  chunksSent: number;
  close(): Promise<void>;
}

const chunk = (content: string | null, finish: string | null, usage?: object) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'fake-model',
    choices: [{ index: 0, delta: content === null ? {} : { role: 'assistant', content }, finish_reason: finish }],
    ...(usage ? { usage } : {}),
  })}\n\n`;

/** The chunks of one streamed tool call: its name first, then its arguments a few characters at a time. */
function toolCallChunks(name: string, args: object): string[] {
  const json = JSON.stringify(args);
  const call = (delta: object) =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-test',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'fake-model',
      choices: [{ index: 0, delta: { tool_calls: [{ index: 0, ...delta }] }, finish_reason: null }],
    })}\n\n`;
  const pieces = [call({ id: 'call_fake_1', type: 'function', function: { name, arguments: '' } })];
  for (let at = 0; at < json.length; at += 8) pieces.push(call({ function: { arguments: json.slice(at, at + 8) } }));
  return pieces;
}

/** A real OpenAI-compatible HTTP server streaming Server-Sent Events, for the assistant's tests. */
export async function startFakeOpenAI(mode: FakeMode): Promise<FakeOpenAI> {
  const fake: FakeOpenAI = {
    baseURL: '',
    mode,
    requests: [],
    abortedByClient: 0,
    chunksSent: 0,
    close: async () => {},
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    for await (const part of req) body += part;
    fake.requests.push(JSON.parse(body));
    const current = fake.mode;
    if (current.kind === 'status') {
      res.writeHead(current.status, { 'content-type': 'application/json' });
      res.end(current.body ?? JSON.stringify({ error: { message: `status ${current.status}` } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let finished = false;
    res.on('close', () => {
      if (!finished) fake.abortedByClient++;
    });
    if (current.kind === 'tool-call') {
      const request = fake.requests.at(-1);
      if (!request?.messages.some((m) => m.role === 'tool')) {
        for (const piece of toolCallChunks(current.name, current.arguments)) res.write(piece);
        res.write(chunk(null, 'tool_calls', { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }));
        res.write('data: [DONE]\n\n');
        finished = true;
        res.end();
        return;
      }
    }
    const tokens =
      current.kind === 'stream' ? current.tokens : current.kind === 'tool-call' ? current.answer : current.tokensBefore;
    for (const token of tokens) {
      if (res.destroyed) return;
      res.write(chunk(token, null));
      fake.chunksSent++;
      await new Promise((r) => setTimeout(r, current.kind === 'stream' ? (current.delayMs ?? 2) : 2));
    }
    if (res.destroyed) return;
    if (current.kind === 'broken') {
      res.write('data: {"id": "chatcmpl-test", "choices": [ this is not json\n\n');
      finished = true;
      res.end();
      return;
    }
    res.write(
      chunk(null, 'stop', { prompt_tokens: 10, completion_tokens: tokens.length, total_tokens: 10 + tokens.length }),
    );
    res.write('data: [DONE]\n\n');
    finished = true;
    res.end();
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  fake.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
