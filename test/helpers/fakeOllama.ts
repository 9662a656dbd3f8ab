/**
 * A loopback HTTP server speaking Ollama's `/api/chat` protocol (non-streaming: one JSON answer per POST, tool calls
 * in `message.tool_calls`, tool answers coming back as `role: "tool"` messages). It stands in for a real local model:
 * no package on the registries ships usable model weights, so the adapter is tested against the protocol itself.
 */

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OllamaChatBody {
  model: string;
  messages: { role: string; content: string; tool_calls?: unknown[]; tool_name?: string }[];
  tools?: { type: string; function: { name: string; description: string; parameters: unknown } }[];
  stream?: boolean;
  options?: Record<string, unknown>;
}

/** A scripted reply: a status and JSON body (or text body with its content type), or never answering. */
export type OllamaReply =
  | { status: number; json: unknown }
  | { status: number; text: string; contentType?: string }
  | { hang: true };

export interface FakeOllama {
  url: string;
  hostPort: string;
  requests: { path: string; body: OllamaChatBody; raw: string }[];
  /** The bodies of `POST /api/show` (the narrator's preflight), apart from the chat requests. */
  shows: { model: string }[];
  close(): Promise<void>;
}

export function chatAnswer(model: string, message: Record<string, unknown>, doneReason = 'stop'): OllamaReply {
  return {
    status: 200,
    json: {
      model,
      created_at: new Date(0).toISOString(),
      message: { role: 'assistant', content: '', ...message },
      done: true,
      done_reason: doneReason,
      total_duration: 1,
      load_duration: 1,
      prompt_eval_count: 1,
      prompt_eval_duration: 1,
      eval_count: 1,
      eval_duration: 1,
    },
  };
}

/**
 * `models`: the models pulled on this server; `POST /api/show` answers 200 for those and 404 `model 'x' not found`
 * for others, as Ollama does. Without it every model is there.
 */
export async function startFakeOllama(script: ((body: OllamaChatBody, n: number) => OllamaReply), options: { models?: readonly string[] } = {}): Promise<FakeOllama> {
  const requests: FakeOllama['requests'] = [];
  const shows: FakeOllama['shows'] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'POST' && req.url === '/api/show') {
        const { model } = JSON.parse(raw) as { model: string };
        shows.push({ model });
        if (options.models && !options.models.includes(model)) res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `model '${model}' not found` }));
        else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ modelfile: '', parameters: '', template: '{{ .Prompt }}', details: { format: 'gguf', family: 'llama' }, model_info: {}, capabilities: ['completion', 'tools'] }));
        return;
      }
      if (req.method !== 'POST' || req.url !== '/api/chat') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
        return;
      }
      const body = JSON.parse(raw) as OllamaChatBody;
      requests.push({ path: req.url, body, raw });
      const reply = script(body, requests.length);
      if ('hang' in reply) {
        hanging.push(res);
        return;
      }
      if ('json' in reply) res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.json));
      else res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'text/plain' }).end(reply.text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    requests,
    shows,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
