/**
 * The LLM narrators of `xva explain` (docs/explain-narrators.md). API for the command:
 *
 *   createNarrator(kind: 'ollama' | 'bedrock', options: LlmNarratorOptions): Promise<Narrator>
 *     Loads the adapter lazily (the SDKs are only imported when chosen). Ollama needs `model` (--model), Bedrock
 *     `modelId` (--model-id); a missing one is an XvaUsageError. Errors reaching a model are NarratorUnavailableError
 *     (an XvaUsageError: one line, exit 2) naming the host or the region and endpoint.
 *   describeDestination(narrator, share): string       the line to print before anything is sent
 *   applySharePolicy(request): { request, withheld }   the privacy filter (the narrators apply it themselves)
 *   closeNarrator(narrator): void                      releases HTTP/2 sessions or HTTP/1.1 sockets (Bedrock) at the end of a run
 *
 * Nothing here logs prompts, tool answers or credentials unless `debug` is set (`--debug`), and then only prompts,
 * tool calls and answers, to `log` (stderr by default); credentials never.
 */

import { XvaUsageError } from '../../errors.js';
import type { Narrator } from '../types.js';
import type { RetryPolicy } from './retry.js';

export { applySharePolicy, describeDestination, runToolForModel, WITHHELD_NOTE, type ShareSummary } from './privacy.js';
export { NarratorUnavailableError } from './errors.js';
export type { RetryPolicy } from './retry.js';

export interface LlmNarratorOptions {
  /** Ollama: `--model` (e.g. `llama3.1:8b`). */
  model?: string;
  /** Bedrock: `--model-id` (e.g. `anthropic.claude-3-5-sonnet-20240620-v1:0`). */
  modelId?: string;
  /** Ollama server; default OLLAMA_HOST, else http://127.0.0.1:11434. */
  host?: string;
  /** Bedrock: region, endpoint URL and profile; default the SDK's standard chain. */
  region?: string;
  endpoint?: string;
  profile?: string;
  /** Limit on one request to the model (ms). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Bedrock: attempts of the SDK's own retry (default 3). */
  sdkMaxAttempts?: number;
  /** Bedrock: the HTTP version spoken; default 1.1 to an endpoint given (flag or environment), else 2 (bedrock.ts). */
  httpVersion?: '1.1' | '2';
  maxTurns?: number;
  temperature?: number;
  debug?: boolean;
  log?: (line: string) => void;
}

export async function createNarrator(kind: 'ollama' | 'bedrock', options: LlmNarratorOptions): Promise<Narrator> {
  const common = {
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.maxTurns !== undefined ? { maxTurns: options.maxTurns } : {}),
    ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    ...(options.debug !== undefined ? { debug: options.debug } : {}),
    ...(options.log ? { log: options.log } : {}),
  };
  if (kind === 'ollama') {
    if (!options.model) throw new XvaUsageError('--narrator ollama needs --model (a model pulled on the Ollama server, e.g. llama3.1:8b)');
    const { OllamaNarrator } = await import('./ollama.js');
    return new OllamaNarrator({ model: options.model, ...(options.host ? { host: options.host } : {}), ...common });
  }
  if (kind === 'bedrock') {
    if (!options.modelId) throw new XvaUsageError('--narrator bedrock needs --model-id (e.g. anthropic.claude-3-5-sonnet-20240620-v1:0)');
    const { BedrockNarrator } = await import('./bedrock.js');
    return BedrockNarrator.create({
      modelId: options.modelId,
      ...(options.region ? { region: options.region } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.sdkMaxAttempts !== undefined ? { sdkMaxAttempts: options.sdkMaxAttempts } : {}),
      ...(options.httpVersion ? { httpVersion: options.httpVersion } : {}),
      ...common,
    });
  }
  throw new XvaUsageError(`unknown narrator ${String(kind)}: expected builtin, ollama or bedrock`);
}

/** Releases what a narrator holds open (Bedrock's HTTP/2 sessions or HTTP/1.1 sockets); a no-op for the others. */
export function closeNarrator(narrator: Narrator): void {
  const closable = narrator as Narrator & { close?: () => void };
  if (typeof closable.close === 'function') closable.close();
}
