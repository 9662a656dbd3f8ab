/**
 * The Amazon Bedrock narrator (`--narrator bedrock --model-id ID`): the Converse API with tool use through
 * `@aws-sdk/client-bedrock-runtime`. Region and credentials come from the SDK's standard chain (AWS_REGION /
 * AWS_PROFILE / ~/.aws/config; env keys, SSO, web identity, IMDS); the endpoint from `endpoint`, else the SDK's own
 * AWS_ENDPOINT_URL_BEDROCK_RUNTIME / AWS_ENDPOINT_URL, else the regional endpoint. The loop: the model answers with
 * `toolUse` blocks (stopReason `tool_use`), each tool runs locally, its answer goes back as a `toolResult` block,
 * until the model writes the section. Throttling and 5xx are retried by the SDK (standard mode) and then by a bounded
 * back-off of ours; an unreachable endpoint ends in one line naming region and endpoint.
 *
 * HTTP version: the SDK speaks HTTP/2 to Bedrock by default (its NodeHttp2Handler), which the regional endpoint
 * speaks; an endpoint given (`--endpoint`, AWS_ENDPOINT_URL_BEDROCK_RUNTIME, AWS_ENDPOINT_URL) is spoken to in HTTP/1.1
 * (NodeHttpHandler, over TLS for https://), which every proxy and VPC endpoint speaks and Converse needs no more than.
 * An audit found an HTTP/1.1-only endpoint failing as "internal error: Protocol error"; a server that answers in the
 * other version now ends in one line naming the endpoint and the version expected.
 */

import {
  BedrockRuntimeClient,
  ConverseCommand,
  type ContentBlock,
  type ConverseCommandOutput,
  type Message,
  type Tool,
  type ToolResultBlock,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { XvaUsageError } from '../../errors.js';
import type { Fact, NarrationRequest, NarrationResult, Narrator, PersonaTool } from '../types.js';
import { NETWORK_ERROR_CODES, NarratorUnavailableError, describeNetworkError, errorCode } from './errors.js';
import { applySharePolicy, runToolForModel } from './privacy.js';
import { ANSWER_NOW, narrationResult, systemPrompt, userPrompt } from './prompt.js';
import { DEFAULT_RETRY, RetriesExhausted, withRetry, type RetryPolicy } from './retry.js';

export interface BedrockNarratorOptions {
  /** Model or inference-profile id (`anthropic.claude-3-5-sonnet-20240620-v1:0`, `eu.amazon.nova-pro-v1:0`). */
  modelId: string;
  /** Default: the SDK's chain (AWS_REGION, AWS_DEFAULT_REGION via profile, ~/.aws/config). */
  region?: string;
  /** Endpoint URL (VPC endpoint, proxy); default: AWS_ENDPOINT_URL_BEDROCK_RUNTIME, else the regional endpoint. */
  endpoint?: string;
  /** Named profile of ~/.aws/config (default: AWS_PROFILE, else `default`). */
  profile?: string;
  /** Limit on one Converse call, SDK retries included (ms). Default 120 000. */
  timeoutMs?: number;
  /** Attempts the SDK makes itself (standard retry mode: throttling, 5xx, transient network). Default 3. */
  sdkMaxAttempts?: number;
  /** Our back-off around the SDK's retries, for throttling that outlasts them. */
  retry?: Partial<RetryPolicy>;
  maxTurns?: number;
  maxTokens?: number;
  temperature?: number;
  debug?: boolean;
  log?: (line: string) => void;
  /** HTTP version spoken: default 1.1 to an endpoint given (option or environment), else 2 (the SDK's own). */
  httpVersion?: '1.1' | '2';
}

const RETRYABLE_ERRORS = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'InternalServerException',
  'ModelNotReadyException',
  'ModelTimeoutException',
  'TooManyRequestsException',
  'TimeoutError',
]);

function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.name && RETRYABLE_ERRORS.has(e.name)) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  const code = errorCode(error);
  return code !== undefined && NETWORK_ERROR_CODES.has(code);
}

function toBedrockTools(tools: readonly PersonaTool[]): Tool[] {
  return tools.map((t) => ({
    toolSpec: { name: t.name, description: t.description, inputSchema: { json: t.parameters as never } },
  }));
}

/** Where requests go, as the privacy line and the errors print it. */
/** An endpoint must be an absolute http(s) URL (the SDK fails later, and less clearly, on anything else). */
export function checkEndpointUrl(url: string, source: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.hostname === '') {
    throw new XvaUsageError(`${source} ${JSON.stringify(withoutUserinfo(url))} is not an endpoint URL: expected an absolute http(s) URL such as https://bedrock-runtime.us-east-1.amazonaws.com`);
  }
  // credentials in the URL are never sent by the SDK (it signs with SigV4) and must not be echoed either
  if (parsed.username !== '' || parsed.password !== '') {
    throw new XvaUsageError(`${source} ${JSON.stringify(withoutUserinfo(url))} holds a user name or password: Bedrock takes AWS credentials (profile, environment), not credentials in the endpoint URL; remove them`);
  }
}

/** The URL with any user:password@ part removed, for messages. */
function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

export function bedrockDestination(region: string, endpoint: string | undefined): string {
  const url = endpoint ?? process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME ?? process.env.AWS_ENDPOINT_URL;
  return url ? `${withoutUserinfo(url)} (region ${region})` : `https://bedrock-runtime.${region}.amazonaws.com (region ${region})`;
}

export class BedrockNarrator implements Narrator {
  readonly kind = 'bedrock' as const;
  readonly model: string;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly maxTurns: number;
  private readonly maxTokens: number;
  private readonly temperature: number;
  private readonly log: ((line: string) => void) | undefined;

  private constructor(
    private readonly client: BedrockRuntimeClient,
    readonly region: string,
    readonly destination: string,
    /** The HTTP version spoken to the endpoint (for the error a server of the other one gives). */
    private readonly httpVersion: '1.1' | '2',
    options: BedrockNarratorOptions,
  ) {
    this.model = options.modelId;
    this.retry = { ...DEFAULT_RETRY, maxAttempts: 3, baseDelayMs: 1_000, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.maxTurns = Math.max(1, options.maxTurns ?? 8);
    this.maxTokens = options.maxTokens ?? 1_500;
    this.temperature = options.temperature ?? 0;
    this.log = options.debug ? (options.log ?? ((line) => process.stderr.write(line + '\n'))) : undefined;
  }

  /** Builds the client and resolves the region (async in the SDK's chain) so that `destination` can be printed. */
  static async create(options: BedrockNarratorOptions): Promise<BedrockNarrator> {
    const given = options.endpoint ?? process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME ?? process.env.AWS_ENDPOINT_URL;
    if (given !== undefined && given.trim() !== '') checkEndpointUrl(given, options.endpoint !== undefined ? '--endpoint' : process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME !== undefined ? 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME' : 'AWS_ENDPOINT_URL');
    // the SDK's notice that its releases after January 2027 need Node 22 is for whoever upgrades the SDK, not for the
    // user of this pinned version (xva supports Node >= 20.19, package.json engines): kept off stderr and cron logs
    // unless the variable is set either way
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const httpVersion = options.httpVersion ?? (given !== undefined && given.trim() !== '' ? '1.1' : '2');
    const client = new BedrockRuntimeClient({
      ...(options.region ? { region: options.region } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
      maxAttempts: options.sdkMaxAttempts ?? 3,
      // HTTP/1.1 to an endpoint given (a proxy, a VPC endpoint): see the top of this file
      ...(httpVersion === '1.1' ? { requestHandler: new NodeHttpHandler() } : {}),
    });
    let region: string;
    try {
      region = await client.config.region();
    } catch {
      region = '';
    }
    if (!region) {
      client.destroy();
      throw new NarratorUnavailableError('bedrock', 'unknown region',
        'no AWS region for Bedrock: set AWS_REGION (or region in ~/.aws/config for the profile), or pass --region');
    }
    return new BedrockNarrator(client, region, bedrockDestination(region, options.endpoint), httpVersion, options);
  }

  /** Closes the HTTP/2 sessions or HTTP/1.1 sockets (the process would otherwise wait for them). */
  close(): void {
    this.client.destroy();
  }

  async narrate(original: NarrationRequest): Promise<NarrationResult> {
    const { request } = applySharePolicy(original);
    const tools = toBedrockTools(request.tools);
    const messages: Message[] = [{ role: 'user', content: [{ text: userPrompt(request) }] }];
    const revealed: Fact[] = [];
    for (let turn = 1; turn <= this.maxTurns; turn++) {
      const output = await this.converse(systemPrompt(request), messages, tools);
      const message = output.output?.message;
      const content: ContentBlock[] = message?.content ?? [];
      const uses = content.flatMap((b) => (b.toolUse ? [b.toolUse] : []));
      if (output.stopReason !== 'tool_use' || uses.length === 0) {
        if (output.stopReason === 'guardrail_intervened' || output.stopReason === 'content_filtered') {
          throw new NarratorUnavailableError('bedrock', this.destination,
            `Bedrock model ${this.model} at ${this.destination} stopped: ${output.stopReason}`);
        }
        const text = content.flatMap((b) => (b.text !== undefined ? [b.text] : [])).join('\n\n');
        if (text.trim() === '') {
          throw new NarratorUnavailableError('bedrock', this.destination,
            `Bedrock model ${this.model} at ${this.destination} returned no text (stop reason ${output.stopReason ?? 'none'})`);
        }
        return narrationResult('bedrock', this.model, request, revealed, text, output.stopReason === 'max_tokens', this.destination);
      }
      // Converse: the assistant turn goes back as is, then one user turn with a toolResult per toolUse
      messages.push({ role: 'assistant', content });
      const results: ContentBlock[] = [];
      for (const use of uses) {
        const args = (use.input ?? {}) as Record<string, unknown>;
        const answer = await runToolForModel(request.tools, use.name ?? '', args, request.share);
        revealed.push(...answer.facts);
        this.log?.(`[bedrock] tool ${use.name}(${JSON.stringify(args)}) -> ${JSON.stringify(answer.content)}`);
        // the answer as JSON text: every Converse model with tool use reads text results, while `json` blocks and
        // the `status` field are supported by some model families only (Bedrock user guide, Converse tool use)
        const toolResult: ToolResultBlock = {
          toolUseId: use.toolUseId,
          content: [{ text: JSON.stringify(answer.content) }],
        };
        results.push({ toolResult });
      }
      if (turn === this.maxTurns - 1) results.push({ text: ANSWER_NOW });
      messages.push({ role: 'user', content: results });
    }
    throw new NarratorUnavailableError('bedrock', this.destination,
      `Bedrock model ${this.model} at ${this.destination} kept calling tools after ${this.maxTurns} turns without writing the section`);
  }

  private async converse(system: string, messages: Message[], tools: Tool[]): Promise<ConverseCommandOutput> {
    this.log?.(`[bedrock] Converse ${this.model} at ${this.destination} last message=${JSON.stringify(messages[messages.length - 1])}`);
    try {
      const output = await withRetry(
        () =>
          this.client.send(
            new ConverseCommand({
              modelId: this.model,
              system: [{ text: system }],
              messages,
              ...(tools.length > 0 ? { toolConfig: { tools } } : {}),
              inferenceConfig: { maxTokens: this.maxTokens, temperature: this.temperature },
            }),
            { abortSignal: AbortSignal.timeout(this.timeoutMs) },
          ),
        this.retry,
        isRetryable,
        (error, failures, delayMs) => this.log?.(`[bedrock] attempt ${failures} failed (${describe(error)}); retrying in ${delayMs} ms`),
      );
      this.log?.(`[bedrock] answer (${output.stopReason}): ${JSON.stringify(output.output?.message)}`);
      return output;
    } catch (error) {
      throw this.explain(error);
    }
  }

  /**
   * Resolves the credentials through the SDK's chain (no request to Bedrock): a machine without any fails here, before
   * the runs, rather than after them. Access to the model itself is only known at the first request.
   */
  async preflight(): Promise<void> {
    try {
      await this.client.config.credentials();
    } catch (error) {
      throw this.explain(error);
    }
  }

  /** One line naming model, region and endpoint; never the credentials. */
  private explain(error: unknown): Error {
    const attempts = error instanceof RetriesExhausted ? error.attempts : 1;
    const cause = error instanceof RetriesExhausted ? error.last : error;
    const after = attempts > 1 ? ` after ${attempts} attempts` : '';
    const name = (cause as { name?: string })?.name ?? '';
    const where = `Amazon Bedrock at ${this.destination}`;
    const fail = (message: string, underFallback?: string) => new NarratorUnavailableError('bedrock', this.destination, message, underFallback);
    if (name === 'CredentialsProviderError') {
      const reason = `no AWS credentials for ${where}: configure the standard chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO)`;
      return fail(`${reason} or run with --fallback builtin`, reason);
    }
    if (name === 'AccessDeniedException' || name === 'UnrecognizedClientException') {
      return fail(`${where} denied access to model ${this.model} (${name}): check the IAM permission ` +
        'bedrock:InvokeModel and that the model is enabled in this region');
    }
    if (name === 'ResourceNotFoundException' || name === 'ValidationException') {
      return fail(`${where} rejected model ${this.model} (${name}: ${describe(cause)})`);
    }
    if (name === 'ThrottlingException' || name === 'ServiceQuotaExceededException') {
      return fail(`${where} is throttling model ${this.model}${after}: try again later or raise the quota`);
    }
    if (name === 'TimeoutError' || name === 'AbortError') {
      return fail(`${where} did not answer within ${this.timeoutMs / 1000} s${after} (model ${this.model})`);
    }
    const code = errorCode(cause);
    const protocol = this.protocolMismatch(code, cause);
    if (protocol) return fail(`${where} ${protocol}`);
    if (code !== undefined && NETWORK_ERROR_CODES.has(code)) {
      const reason = `cannot reach ${where}${after}: ${describeNetworkError(code, describe(cause))}. Check the region, the endpoint (AWS_ENDPOINT_URL_BEDROCK_RUNTIME) and the network`;
      return fail(`${reason}, or run with --fallback builtin`, reason);
    }
    const status = (cause as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    if (status !== undefined) return fail(`${where} failed for model ${this.model}${after}: HTTP ${status} ${name} ${describe(cause)}`);
    return cause instanceof Error ? cause : new Error(String(cause));
  }

  /**
   * A server answering in another HTTP version than the one spoken: HTTP/2's session error (ERR_HTTP2_ERROR, "Protocol
   * error": an HTTP/1.1 server answered the connection preface) or HTTP/1.1's parse errors (HPE_*: a server of
   * cleartext HTTP/2 only answered a request line). What the endpoint was expected to speak, and how to get the other.
   */
  private protocolMismatch(code: string | undefined, cause: unknown): string | undefined {
    const seen = `(${code}: ${describe(cause)})`;
    if (code === 'ERR_HTTP2_ERROR' || code === 'ERR_HTTP2_PROTOCOL_ERROR') {
      return `did not answer in HTTP/2 ${seen}: the regional endpoint is spoken to in HTTP/2, as the AWS SDK does; ` +
        'for a proxy or endpoint that speaks HTTP/1.1 only, give it with --endpoint (or AWS_ENDPOINT_URL_BEDROCK_RUNTIME), which xva speaks HTTP/1.1 to';
    }
    if (code?.startsWith('HPE_') && this.httpVersion === '1.1') {
      return `did not answer in HTTP/1.1 ${seen}: an endpoint given with --endpoint (or AWS_ENDPOINT_URL_BEDROCK_RUNTIME, AWS_ENDPOINT_URL) ` +
        'is spoken to in HTTP/1.1 (over TLS for https://); expected the Bedrock runtime API over HTTP/1.1 or HTTPS, not a server of cleartext HTTP/2 only';
    }
    return undefined;
  }
}

/** The error's message on one line (the SDK's deserialisation errors span several). */
function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ').trim();
}
