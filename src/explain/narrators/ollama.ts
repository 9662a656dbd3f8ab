/**
 * The Ollama narrator (`--narrator ollama --model NAME`): Ollama's `/api/chat` with native tool calling through the
 * `ollama` package. The persona's tools are offered with their JSON schemas; each tool call the model makes runs
 * locally and its answer goes back as a `tool` message, until the model writes the section (bounded turns).
 * Connection errors, timeouts and 5xx/429 answers are retried with exponential back-off; a model that cannot be
 * reached or is not pulled ends in one clear line naming the host.
 */

import { Ollama, type ChatResponse, type Message, type Tool } from 'ollama';
import { XvaUsageError } from '../../errors.js';
import type { Fact, NarrationRequest, NarrationResult, Narrator, PersonaTool } from '../types.js';
import { NETWORK_ERROR_CODES, NarratorUnavailableError, describeNetworkError, errorCode } from './errors.js';
import { applySharePolicy, runToolForModel } from './privacy.js';
import { ANSWER_NOW, narrationResult, systemPrompt, userPrompt } from './prompt.js';
import { DEFAULT_RETRY, RetriesExhausted, withRetry, type RetryPolicy } from './retry.js';

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';

export interface OllamaNarratorOptions {
  /** Model name as `ollama list` shows it (`llama3.1:8b`, `qwen2.5:14b`). */
  model: string;
  /** Server URL; default `OLLAMA_HOST`, else http://127.0.0.1:11434. */
  host?: string;
  /** Limit on one HTTP request (ms); a local model writing a section can be slow. Default 180 000. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Model turns per section (tool rounds plus the answer). Default 8. */
  maxTurns?: number;
  /** Sampling temperature; 0 keeps runs close to reproducible. */
  temperature?: number;
  /** Logs prompts, tool calls and answers through `log` (never without it). */
  debug?: boolean;
  log?: (line: string) => void;
}

/** Characters per token of the text between digits (JSON keys, ids, words): 3.1-3.5 measured, 2.5 to be safe. */
const CHARS_PER_TOKEN_TEXT = 2.5;
/** Tokens kept free for the model's answer (2-4 paragraphs, or a tool call). */
const ANSWER_TOKENS = 2048;

/**
 * Tokens of a text, estimated from above for the tokenizers Ollama serves: every digit one token (Qwen's, Mistral's
 * and Gemma's tokenizers split numbers into single digits; Llama 3's into groups of up to three, which this
 * overestimates), the rest CHARS_PER_TOKEN_TEXT characters a token. Characters / 3 alone undercounted the digit-heavy
 * facts: the demo book's CVA trader prompt is 2.24 characters a token for Qwen2.5 (its pre-tokenizer with cl100k's
 * merges), ~6k tokens over the context that asked for (an audit of `xva explain`).
 */
export function estimatedTokens(text: string): number {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  return digits + Math.ceil((text.length - digits) / CHARS_PER_TOKEN_TEXT);
}

/**
 * Ollama's `num_ctx` for a request: the conversation's tokens (estimatedTokens of its messages, tool calls and tool
 * declarations) plus ANSWER_TOKENS for the answer, rounded up to 4,096, at least 8,192 and at most 131,072 (the
 * models' usual limit; a server caps it at the model's own). Ollama otherwise keeps its default context (2,048 to
 * 4,096 tokens), and cuts a longer prompt from the front without a word, as it does one longer than num_ctx.
 */
export function contextTokens(messages: readonly Message[], tools?: readonly Tool[]): number {
  let tokens = tools ? estimatedTokens(JSON.stringify(tools)) : 0;
  for (const m of messages) tokens += estimatedTokens(m.content ?? '') + (m.tool_calls ? estimatedTokens(JSON.stringify(m.tool_calls)) : 0);
  return Math.min(131_072, Math.max(8192, Math.ceil((tokens + ANSWER_TOKENS) / 4096) * 4096));
}

/** The host as the `ollama` package will call it (scheme and port filled in), for messages and the privacy line. */
export function ollamaHostUrl(host: string): string {
  let h = host.trim();
  if (h.startsWith(':')) h = `127.0.0.1${h}`;
  let url: URL;
  try {
    url = new URL(h.includes('://') ? h : `http://${h}`);
  } catch {
    throw new XvaUsageError(`OLLAMA_HOST (or the host given) ${JSON.stringify(host)} is not a host: expected host[:port] or a URL such as http://127.0.0.1:11434`);
  }
  if (!url.port && !host.includes('://')) url.port = '11434';
  return url.origin + url.pathname.replace(/\/$/, '');
}

/** JSON-schema tool declarations in Ollama's format. */
function toOllamaTools(tools: readonly PersonaTool[]): Tool[] {
  return tools.map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description, parameters: t.parameters as Tool['function']['parameters'] },
  }));
}

/**
 * fetch with a deadline, and error bodies made JSON: the `ollama` package prints to stdout when an error body is
 * not JSON, which would corrupt the command's output.
 */
function timedFetch(timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    if (response.ok) return response;
    // an error body the ollama package could not parse makes it print to stdout (breaking --json): hand it one it can,
    // also when the body says it is JSON but is not (a gateway's HTML page, an empty 502)
    const text = await response.text().catch(() => '');
    if (response.headers.get('content-type')?.includes('application/json')) {
      try {
        JSON.parse(text);
        return new Response(text, { status: response.status, statusText: response.statusText, headers: { 'content-type': 'application/json' } });
      } catch {
        // not JSON after all: wrapped below
      }
    }
    return new Response(JSON.stringify({ error: text || response.statusText }), {
      status: response.status,
      statusText: response.statusText,
      headers: { 'content-type': 'application/json' },
    });
  };
}

function statusOf(error: unknown): number | undefined {
  const s = (error as { status_code?: unknown })?.status_code;
  return typeof s === 'number' ? s : undefined;
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  return name === 'TimeoutError' || (name === 'AbortError' && String((error as Error).message).includes('timeout'));
}

function isRetryable(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return status >= 500 || status === 429;
  if (isTimeout(error)) return true;
  const code = errorCode(error);
  return code !== undefined && NETWORK_ERROR_CODES.has(code);
}

export class OllamaNarrator implements Narrator {
  readonly kind = 'ollama' as const;
  readonly model: string;
  readonly destination: string;
  private readonly client: Ollama;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly maxTurns: number;
  private readonly temperature: number;
  private readonly log: ((line: string) => void) | undefined;

  constructor(options: OllamaNarratorOptions) {
    this.model = options.model;
    // an empty OLLAMA_HOST (exported but blank) means unset, as for the ollama CLI
    const fromEnv = process.env.OLLAMA_HOST?.trim() ? process.env.OLLAMA_HOST : undefined;
    const host = options.host ?? fromEnv ?? DEFAULT_OLLAMA_HOST;
    this.destination = ollamaHostUrl(host);
    this.timeoutMs = options.timeoutMs ?? 180_000;
    this.client = new Ollama({ host: this.destination, fetch: timedFetch(this.timeoutMs) });
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.maxTurns = Math.max(1, options.maxTurns ?? 8);
    this.temperature = options.temperature ?? 0;
    this.log = options.debug ? (options.log ?? ((line) => process.stderr.write(line + '\n'))) : undefined;
  }

  async narrate(original: NarrationRequest): Promise<NarrationResult> {
    const { request } = applySharePolicy(original);
    const tools = toOllamaTools(request.tools);
    const messages: Message[] = [
      { role: 'system', content: systemPrompt(request) },
      { role: 'user', content: userPrompt(request) },
    ];
    const revealed: Fact[] = [];
    for (let turn = 1; turn <= this.maxTurns; turn++) {
      const last = turn === this.maxTurns;
      if (last && turn > 1) messages.push({ role: 'user', content: ANSWER_NOW });
      const response = await this.chat(messages, last || tools.length === 0 ? undefined : tools);
      const message = response.message as ChatResponse['message'] | undefined;
      if (message === undefined || message === null || typeof message !== 'object') {
        throw new NarratorUnavailableError('ollama', this.destination, `Ollama model ${this.model} at ${this.destination} answered without a message (not an Ollama /api/chat answer)`);
      }
      messages.push({ role: 'assistant', content: message.content ?? '', ...(message.tool_calls ? { tool_calls: message.tool_calls } : {}) });
      const calls = message.tool_calls ?? [];
      if (calls.length === 0) {
        const content = message.content ?? '';
        if (content.trim() === '') {
          throw new NarratorUnavailableError('ollama', this.destination, `Ollama model ${this.model} at ${this.destination} returned an empty answer`);
        }
        return narrationResult('ollama', this.model, request, revealed, content, response.done_reason === 'length', this.destination);
      }
      for (const call of calls) {
        const name = call.function.name;
        const raw: unknown = call.function.arguments;
        const args = typeof raw === 'string' ? safeParse(raw) : ((raw ?? {}) as Record<string, unknown>);
        const answer = await runToolForModel(request.tools, name, args, request.share);
        revealed.push(...answer.facts);
        this.log?.(`[ollama] tool ${name}(${JSON.stringify(args)}) -> ${JSON.stringify(answer.content)}`);
        messages.push({ role: 'tool', content: JSON.stringify(answer.content), tool_name: name });
      }
    }
    throw new NarratorUnavailableError(
      'ollama',
      this.destination,
      `Ollama model ${this.model} at ${this.destination} kept calling tools after ${this.maxTurns} turns without writing the section`,
    );
  }

  /** `POST /api/show {model}`: the server answers and has the model (404 when it is not pulled). No figures are sent. */
  async preflight(): Promise<void> {
    this.log?.(`[ollama] POST ${this.destination}/api/show model=${this.model}`);
    try {
      await withRetry(() => this.client.show({ model: this.model }), this.retry, isRetryable);
    } catch (error) {
      throw this.explain(error);
    }
  }

  private async chat(messages: Message[], tools: Tool[] | undefined): Promise<ChatResponse> {
    this.log?.(`[ollama] POST ${this.destination}/api/chat model=${this.model} messages=${JSON.stringify(messages.slice(-2))}`);
    try {
      const response = await withRetry(
        () =>
          this.client.chat({
            model: this.model,
            messages,
            ...(tools ? { tools } : {}),
            stream: false,
            // a context that holds the whole conversation: Ollama's default (2k-4k tokens) truncates a persona's
            // prompt (the demo book's CVA trader: ~30k tokens for Qwen2.5) silently from the front
            options: { temperature: this.temperature, num_ctx: contextTokens(messages, tools) },
          }),
        this.retry,
        isRetryable,
        (error, failures, delayMs) => this.log?.(`[ollama] attempt ${failures} failed (${describe(error)}); retrying in ${delayMs} ms`),
      );
      this.log?.(`[ollama] answer: ${JSON.stringify(response.message)}`);
      return response;
    } catch (error) {
      throw this.explain(error);
    }
  }

  /** One line a user can act on, naming the host. */
  private explain(error: unknown): Error {
    const attempts = error instanceof RetriesExhausted ? error.attempts : 1;
    const cause = error instanceof RetriesExhausted ? error.last : error;
    const status = statusOf(cause);
    const after = attempts > 1 ? ` after ${attempts} attempts` : '';
    const where = `Ollama at ${this.destination}`;
    if (status === 404) {
      return new NarratorUnavailableError('ollama', this.destination,
        `${where} has no model ${this.model} (${describe(cause)}): run \`ollama pull ${this.model}\` there, or pass another --model`);
    }
    if (status !== undefined) {
      return new NarratorUnavailableError('ollama', this.destination, `${where} refused the request for model ${this.model}${after}: HTTP ${status} ${describe(cause)}`);
    }
    if (isTimeout(cause)) {
      return new NarratorUnavailableError('ollama', this.destination,
        `${where} did not answer within ${this.timeoutMs / 1000} s${after} (model ${this.model})`);
    }
    const code = errorCode(cause);
    if (code !== undefined || error instanceof RetriesExhausted) {
      const reason = `cannot reach ${where}${after}: ${describeNetworkError(code, describe(cause))}`;
      return new NarratorUnavailableError('ollama', this.destination,
        `${reason}. Start it with \`ollama serve\`, set OLLAMA_HOST, or run with --fallback builtin`,
        `${reason}. Start it with \`ollama serve\` or set OLLAMA_HOST`);
    }
    // anything else (e.g. undici's bare "fetch failed"): still name the host, never a bare message
    return new NarratorUnavailableError('ollama', this.destination, `${where} failed for model ${this.model}${after}: ${describe(cause)}`);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici says only "fetch failed"; the reason is its cause's ("bad port": a port the Fetch standard blocks)
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error && cause.message && cause.message !== error.message) {
    return cause.message === 'bad port' ? `${error.message} (the port is one that fetch refuses to reach, the Fetch standard's "bad ports": use another)` : `${error.message} (${cause.message})`;
  }
  return error.message;
}

function safeParse(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
