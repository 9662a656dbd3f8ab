import { describe, it, expect, beforeAll, afterAll, afterEach, vi } from 'vitest';
import { createNarrator, closeNarrator, describeDestination, applySharePolicy, NarratorUnavailableError } from '../src/explain/narrators/index.js';
import { checkParagraph, groundedNarration } from '../src/explain/grounding/index.js';
import { BuiltinNarrator } from '../src/explain/narrators/builtin.js';
import { XvaUsageError } from '../src/errors.js';
import type { Fact, NarrationRequest, PersonaSpec, PersonaTool } from '../src/explain/types.js';
import { startFakeOllama, chatAnswer, closedPort, type FakeOllama } from './helpers/fakeOllama.js';
import { startFakeBedrock, converseAnswer, bedrockError, verifySigV4, type FakeBedrock } from './helpers/fakeBedrock.js';

/**
 * The LLM adapters against their wire protocols: Ollama's /api/chat served by a loopback HTTP server standing in for
 * a real local model (no registry package ships usable weights), and Bedrock's Converse through the real AWS SDK
 * against a loopback HTTP/2 endpoint that verifies each request's SigV4 signature independently. The figures the
 * scripted models write are the facts the tools returned; the check is that they reach the result and pass grounding.
 */

const persona: PersonaSpec = {
  id: 'cva_trader',
  title: 'CVA trader',
  dependsOn: [],
  rolePrompt: 'You are the CVA trader of the desk. You explain where the book CVA comes from.',
};

const bookFacts: Fact[] = [
  { id: 'book.cva', label: 'book CVA', value: -1_234_567, unit: 'currency', currency: 'USD', source: 'xva_book.arrow:cva' },
  { id: 'book.counterparties', label: 'counterparties', value: 48, unit: 'count', source: 'portfolio' },
  // below the aggregate level: must not reach a prompt under --share aggregates
  { id: 'trade.T000017.cva', label: 'CVA of trade T000017', value: -87_654.3, unit: 'currency', currency: 'USD', source: 'xva_trade.arrow:cva', tradeLevel: true },
];

const cpFact: Fact = { id: 'cp.CP0001.cva', label: 'CVA of CP0001', value: -410_987, unit: 'currency', currency: 'USD', source: 'xva_counterparty.arrow:cva' };
const cpShare: Fact = { id: 'cp.CP0001.cva_share', label: 'share of book CVA of CP0001', value: 0.3329, unit: 'ratio', source: 'derived' };
const tradeFact: Fact = { id: 'trade.T000099.cva', label: 'CVA of trade T000099', value: -55_555.5, unit: 'currency', currency: 'USD', source: 'xva_trade.arrow:cva', tradeLevel: true };

const counterpartyTool: PersonaTool = {
  name: 'counterparty_figures',
  description: 'CVA, EPE and share of the book of one counterparty',
  parameters: { type: 'object', properties: { counterpartyId: { type: 'string', description: 'e.g. CP0001' } }, required: ['counterpartyId'] },
  async run(args) {
    if (args.counterpartyId !== 'CP0001') throw new Error(`unknown counterparty ${String(args.counterpartyId)}`);
    return { data: { counterpartyId: 'CP0001', cva: cpFact.value, cvaShare: cpShare.value }, facts: [cpFact, cpShare] };
  },
};
const tradesTool: PersonaTool = {
  name: 'trades_of_counterparty',
  description: 'CVA of each trade of a counterparty',
  parameters: { type: 'object', properties: { counterpartyId: { type: 'string' } }, required: ['counterpartyId'] },
  tradeLevel: true,
  async run() {
    return { data: [{ tradeId: 'T000099', cva: tradeFact.value }], facts: [tradeFact] };
  },
};
/** An aggregate-looking tool whose answer reveals a trade-level figure: its data must be withheld. */
const leakyTool: PersonaTool = {
  name: 'largest_trade',
  description: 'The largest trade of a counterparty',
  parameters: { type: 'object', properties: {} },
  async run() {
    return { data: { tradeId: 'T000099', cva: tradeFact.value }, facts: [tradeFact, cpFact] };
  },
};

const request: NarrationRequest = {
  persona,
  facts: bookFacts,
  tools: [counterpartyTool, tradesTool, leakyTool],
  earlier: [],
  share: 'aggregates',
};

const fast = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

const FINAL_TEXT =
  '## CVA trader\n\nBook CVA stands at USD 1.2m [book.cva] across 48 counterparties.\n\n' +
  'CP0001 alone carries 411k [cp.CP0001.cva], about 33% of the book.';

describe('Ollama narrator (loopback /api/chat)', () => {
  let server: FakeOllama | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    delete process.env.OLLAMA_HOST;
  });

  it('offers the tools, runs a tool call locally, sends its answer back and returns grounded paragraphs', async () => {
    server = await startFakeOllama((body, n) => {
      if (n === 1) return chatAnswer(body.model, { tool_calls: [{ function: { name: 'counterparty_figures', arguments: { counterpartyId: 'CP0001' } } }] });
      return chatAnswer(body.model, { content: FINAL_TEXT });
    });
    const narrator = await createNarrator('ollama', { model: 'llama3.1:8b', host: server.url, retry: fast });
    const result = await narrator.narrate(request);

    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests.map((r) => r.body);
    expect(first!.model).toBe('llama3.1:8b');
    expect(first!.stream).toBe(false);
    // the tools as Ollama's function declarations with their JSON schemas; the trade-level tool is not offered
    expect(first!.tools).toEqual([
      { type: 'function', function: { name: 'counterparty_figures', description: counterpartyTool.description, parameters: counterpartyTool.parameters } },
      { type: 'function', function: { name: 'largest_trade', description: leakyTool.description, parameters: leakyTool.parameters } },
    ]);
    expect(first!.messages[0]).toMatchObject({ role: 'system' });
    expect(first!.messages[0]!.content).toContain(persona.rolePrompt);
    expect(first!.messages[1]!.content).toContain('"id":"book.cva","label":"book CVA","value":-1234567');
    // the tool's answer went back as a tool message carrying the figures
    const toolMessage = second!.messages.at(-1)!;
    expect(toolMessage.role).toBe('tool');
    expect(toolMessage.tool_name).toBe('counterparty_figures');
    expect(JSON.parse(toolMessage.content)).toMatchObject({ data: { counterpartyId: 'CP0001', cva: -410_987, cvaShare: 0.3329 } });
    expect(second!.messages.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ function: { name: 'counterparty_figures' } }] });

    // headings and [fact id] citations removed; the cited ids kept
    expect(result.paragraphs).toEqual([
      'Book CVA stands at USD 1.2m across 48 counterparties.',
      'CP0001 alone carries 411k, about 33% of the book.',
    ]);
    expect(result.narrator).toBe('ollama');
    expect(result.model).toBe('llama3.1:8b');
    expect(result.cited.sort()).toEqual(['book.cva', 'cp.CP0001.cva', 'cp.CP0001.cva_share'].sort());
    // the reference set is the aggregate facts given plus the ones the tool revealed; the trade-level one is not in it
    expect(result.facts.map((f) => f.id).sort()).toEqual(['book.counterparties', 'book.cva', 'cp.CP0001.cva', 'cp.CP0001.cva_share'].sort());
    // 1.2m ↔ 1 234 567, 411k ↔ 410 987, 33% ↔ 0.3329: every paragraph passes the fact check
    for (const p of result.paragraphs) expect(checkParagraph(p, result.facts).problems).toEqual([]);
  });

  it('asks for a context that holds the whole prompt (num_ctx), as Ollama\'s default 2k-4k tokens would cut it silently', async () => {
    server = await startFakeOllama((body) => chatAnswer(body.model, { content: FINAL_TEXT }));
    const narrator = await createNarrator('ollama', { model: 'llama3.1:8b', host: server.url, retry: fast });
    // a persona's prompt of ~60,000 characters of facts (the demo's CVA trader had 72,491)
    const many: Fact[] = Array.from({ length: 600 }, (_, i) => ({ id: `cp.CP${String(i).padStart(4, '0')}.cva`, label: `CVA of CP${i}`, value: -1000 - i, unit: 'currency', currency: 'USD', source: 'xva_counterparty.arrow:cva' }));
    await narrator.narrate({ ...request, facts: [...bookFacts, ...many] });
    const body = server.requests[0]!.body as unknown as { options: { num_ctx: number; temperature: number }; messages: { content: string }[] };
    const chars = body.messages.reduce((a, m) => a + m.content.length, 0);
    expect(chars).toBeGreaterThan(50_000);
    // at least one token per 3 characters of the prompt plus room for the answer; a multiple of 4,096
    expect(body.options.num_ctx).toBeGreaterThanOrEqual(chars / 3 + 2048);
    expect(body.options.num_ctx % 4096).toBe(0);
    expect(body.options.temperature).toBe(0);
  });

  describe('digit-heavy prompts (an audit of `xva explain`: qwen2.5:14b got ~6k tokens more than num_ctx, cut silently)', () => {
    /**
     * Qwen2's pre-tokenizer (the Split pattern of its tokenizer.json; cl100k's with `\p{N}` in place of `\p{N}{1,3}`):
     * each piece is at least one token whatever the vocabulary, and a number is one piece per digit. The count of
     * pieces is so a lower bound of the prompt's tokens for Qwen models, independent of the adapter's estimate.
     */
    const QWEN2_PIECES = /(?:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/giu;
    const qwenPieces = (text: string) => [...text.matchAll(QWEN2_PIECES)].length;
    // a CVA trader's facts as the demo book has them (565 there): per counterparty its CVA, DVA, FCA and share at the
    // engine's full double precision (CP0024's CVA 1,232,875.865531658, share 22.20528522104419%)
    const demoLike: Fact[] = Array.from({ length: 140 }, (_, i) => {
      const cp = `CP${String(i + 1).padStart(4, '0')}`;
      const x = 1_232_875.865531658 / (1 + i / 7);
      return [
        { id: `cp.${cp}.cva`, label: `CVA of ${cp}`, value: x, unit: 'currency', currency: 'USD', source: 'cva_counterparty.arrow:cva' },
        { id: `cp.${cp}.dva`, label: `DVA of ${cp}`, value: x * 0.397_578_123_456, unit: 'currency', currency: 'USD', source: 'cva_counterparty.arrow:dva' },
        { id: `cp.${cp}.fca`, label: `FCA of ${cp}`, value: x * 0.200_553_271_9, unit: 'currency', currency: 'USD', source: 'cva_counterparty.arrow:fca' },
        { id: `cp.${cp}.cva_share`, label: `${cp}'s share of book CVA`, value: 22.20528522104419 / (1 + i / 7), unit: 'pct', source: 'derived' },
      ] as Fact[];
    }).flat();
    const demoBook: Fact[] = [
      { id: 'book.cva', label: 'book CVA', value: 5_552_173.067172532, unit: 'currency', currency: 'USD', source: 'xva_book.arrow:cva' },
      { id: 'cp.CP0024.cva_cs01', label: 'CVA CS01 of CP0024', value: 3343.5859502241947, unit: 'currency', currency: 'USD', source: 'xva_cs01.arrow:cva_cs01' },
      { id: 'cp.CP0024.cva_share', label: "CP0024's share of book CVA", value: 22.20528522104419, unit: 'pct', source: 'derived' },
      { id: 'book.eepe', label: 'book effective EPE', value: 188_315_640.2188918, unit: 'currency', currency: 'USD', source: 'netting_set_summary.arrow:eepe' },
      { id: 'cp.CP9999.tiny', label: 'a small ratio', value: 0.000_123_456_789_012, unit: 'ratio', source: 'derived' },
    ];

    it('sends each fact rounded to 7 significant digits, and the fact check still compares with the full value', async () => {
      server = await startFakeOllama((body) => chatAnswer(body.model, { content: 'Book CVA is USD 5,552,173 [book.cva], or USD 5.6m.' }));
      const narrator = await createNarrator('ollama', { model: 'qwen2.5:14b', host: server.url, retry: fast });
      const result = await narrator.narrate({ ...request, facts: demoBook, tools: [] });
      const user = server.requests[0]!.body.messages[1]!.content;
      const sent = JSON.parse(user.split('\n')[1]!) as { id: string; value: number }[];
      // written out by hand: 7 significant digits of each value
      expect(Object.fromEntries(sent.map((f) => [f.id, f.value]))).toEqual({
        'book.cva': 5_552_173,
        'cp.CP0024.cva_cs01': 3343.586,
        'cp.CP0024.cva_share': 22.20529,
        'book.eepe': 188_315_600,
        'cp.CP9999.tiny': 0.0001234568,
      });
      expect(user).not.toContain('5552173.067');
      // the facts the check reads are the engine's: USD 5,552,173 (±0.5) holds for 5,552,173.067; the rounded 5,552,173
      // would hold too, but 5,552,173.07 (±0.005) only for the full value
      expect(result.facts.find((f) => f.id === 'book.cva')!.value).toBe(5_552_173.067172532);
      expect(checkParagraph('Book CVA is USD 5,552,173.07.', result.facts).ok).toBe(true);
      expect(checkParagraph('Book CVA is USD 5,552,173.00.', result.facts).ok).toBe(false);
    });

    it('rounds the figures of a tool answer too, and keeps the full values for the check', async () => {
      const profileTool: PersonaTool = {
        name: 'exposure_profile',
        description: 'EPE by time',
        parameters: { type: 'object', properties: {} },
        async run() {
          return { data: { nettingSetId: 'NS-CP0024-1', profile: [{ timeYears: 0.0833333333333333, epe: 4_403_320.391234567 }] }, facts: [demoBook[0]!] };
        },
      };
      server = await startFakeOllama((body, n) =>
        n === 1 ? chatAnswer(body.model, { tool_calls: [{ function: { name: 'exposure_profile', arguments: {} } }] }) : chatAnswer(body.model, { content: 'Book CVA is USD 5.6m.' }),
      );
      const narrator = await createNarrator('ollama', { model: 'qwen2.5:14b', host: server.url, retry: fast });
      const result = await narrator.narrate({ ...request, facts: [], tools: [profileTool] });
      const answer = JSON.parse(server.requests[1]!.body.messages.find((m) => m.role === 'tool')!.content) as { data: { profile: { timeYears: number; epe: number }[] }; facts: { value: number }[] };
      expect(answer.data.profile).toEqual([{ timeYears: 0.08333333, epe: 4_403_320 }]);
      expect(answer.facts[0]!.value).toBe(5_552_173);
      expect(result.facts[0]!.value).toBe(5_552_173.067172532);
    });

    it('asks for a num_ctx above the prompt\'s Qwen2 pieces (digits one token each) plus 2,048 for the answer', async () => {
      server = await startFakeOllama((body) => chatAnswer(body.model, { content: FINAL_TEXT }));
      const narrator = await createNarrator('ollama', { model: 'qwen2.5:14b', host: server.url, retry: fast });
      await narrator.narrate({ ...request, facts: [...bookFacts, ...demoLike] });
      const body = server.requests[0]!.body;
      const sent = [...body.messages.map((m) => m.content), JSON.stringify(body.tools ?? [])].join('');
      const pieces = qwenPieces(sent);
      // characters / 3 (the sizing before the audit) fell below this lower bound on such prompts
      expect(pieces + 2048).toBeGreaterThan(Math.ceil(sent.length / 3) + 2048);
      expect(body.options!.num_ctx as number).toBeGreaterThanOrEqual(pieces + 2048);
      expect((body.options!.num_ctx as number) % 4096).toBe(0);
    });
  });

  it('an answer that is only reasoning or headings is no answer (one line, no empty section); a reply without a message is one line too', async () => {
    for (const content of ['<think>The book CVA is USD 99m.</think>', '## CVA trader\n### Summary', '<think>x</think>\n\n## CVA trader']) {
      server = await startFakeOllama((body) => chatAnswer(body.model, { content }));
      const narrator = await createNarrator('ollama', { model: 'llama3.1:8b', host: server.url, retry: fast });
      await expect(narrator.narrate(request)).rejects.toThrow(/returned no prose \(only reasoning or headings\)/);
      await server.close();
    }
    server = await startFakeOllama(() => ({ status: 200, json: { model: 'llama3.1:8b', done: true } }));
    const narrator = await createNarrator('ollama', { model: 'llama3.1:8b', host: server.url, retry: fast });
    const error = await narrator.narrate(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NarratorUnavailableError);
    expect(String((error as Error).message)).toMatch(/answered without a message/);
  });

  it('preflight: POST /api/show names a model that is not pulled before any run, and sends no figures', async () => {
    server = await startFakeOllama(() => chatAnswer('m', { content: 'unused' }), { models: ['llama3.1:8b'] });
    const pulled = await createNarrator('ollama', { model: 'llama3.1:8b', host: server.url, retry: fast });
    await expect(pulled.preflight!()).resolves.toBeUndefined();
    const missing = await createNarrator('ollama', { model: 'notpulled:1', host: server.url, retry: fast });
    const error = await missing.preflight!().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NarratorUnavailableError);
    expect((error as Error).message).toMatch(new RegExp(`^Ollama at ${server.url} has no model notpulled:1 .*run \`ollama pull notpulled:1\` there`));
    expect(server.shows).toEqual([{ model: 'llama3.1:8b' }, { model: 'notpulled:1' }]);
    expect(server.requests).toHaveLength(0);
    // a server that is not there: the same line as a chat request would give
    const port = await closedPort();
    const away = await createNarrator('ollama', { model: 'm', host: `http://127.0.0.1:${port}`, retry: { maxAttempts: 2, baseDelayMs: 5 } });
    await expect(away.preflight!()).rejects.toThrow(/^cannot reach Ollama at http:\/\/127\.0\.0\.1:\d+ after 2 attempts: connection refused/);
  });

  it('keeps trade-level figures out of every request under --share aggregates, and sends them with trade-level', async () => {
    server = await startFakeOllama((body, n) => {
      if (n === 1) return chatAnswer(body.model, { tool_calls: [{ function: { name: 'largest_trade', arguments: {} } }] });
      return chatAnswer(body.model, { content: 'CP0001 carries 411k.' });
    });
    const narrator = await createNarrator('ollama', { model: 'm', host: server.url, retry: fast });
    const result = await narrator.narrate(request);
    for (const r of server.requests) {
      expect(r.raw).not.toContain('87654.3');
      expect(r.raw).not.toContain('55555.5');
      expect(r.raw).not.toContain('T000099');
    }
    const toolAnswer = JSON.parse(server.requests[1]!.body.messages.at(-1)!.content);
    expect(toolAnswer.note).toContain('withheld');
    expect(toolAnswer.facts.map((f: Fact) => f.id)).toEqual(['cp.CP0001.cva']);
    expect(result.facts.some((f) => f.tradeLevel)).toBe(false);

    server.requests.length = 0;
    await narrator.narrate({ ...request, share: 'trade-level' });
    expect(server.requests[0]!.raw).toContain('87654.3');
    expect(server.requests[0]!.body.tools!.map((t) => t.function.name)).toContain('trades_of_counterparty');
    expect(server.requests[1]!.raw).toContain('55555.5');
  });

  it('retries a 500 with back-off and then succeeds', async () => {
    server = await startFakeOllama((body, n) =>
      n === 1 ? { status: 500, json: { error: 'llama runner process has terminated' } } : chatAnswer(body.model, { content: 'Book CVA is 1.2m.' }),
    );
    const narrator = await createNarrator('ollama', { model: 'm', host: server.url, retry: fast });
    const result = await narrator.narrate({ ...request, tools: [] });
    expect(server.requests).toHaveLength(2);
    expect(result.paragraphs).toEqual(['Book CVA is 1.2m.']);
  });

  it('retries a 503 with a text body without printing to stdout', async () => {
    const log = vi.spyOn(console, 'log');
    server = await startFakeOllama((body, n) =>
      n === 1 ? { status: 503, text: 'server busy' } : chatAnswer(body.model, { content: 'Book CVA is 1.2m.' }),
    );
    const narrator = await createNarrator('ollama', { model: 'm', host: server.url, retry: fast });
    await narrator.narrate({ ...request, tools: [] });
    expect(server.requests).toHaveLength(2);
    expect(log).not.toHaveBeenCalled();
    log.mockRestore();
  });

  it('a 502 labelled JSON whose body is not (a gateway\'s page) prints nothing to stdout either (--json stays one document)', async () => {
    const log = vi.spyOn(console, 'log');
    server = await startFakeOllama((body, n) =>
      n === 1 ? { status: 502, text: '<html>gateway</html>', contentType: 'application/json' } : chatAnswer(body.model, { content: 'Book CVA is 1.2m.' }),
    );
    const narrator = await createNarrator('ollama', { model: 'm', host: server.url, retry: fast });
    await narrator.narrate({ ...request, tools: [] });
    expect(server.requests).toHaveLength(2);
    expect(log).not.toHaveBeenCalled();
    log.mockRestore();
  });

  it('names the host when it cannot be reached, after a bounded number of attempts', async () => {
    const port = await closedPort();
    const narrator = await createNarrator('ollama', { model: 'm', host: `http://127.0.0.1:${port}`, retry: { maxAttempts: 2, baseDelayMs: 5 } });
    const error = await narrator.narrate(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NarratorUnavailableError);
    expect((error as Error).message).toBe(
      `cannot reach Ollama at http://127.0.0.1:${port} after 2 attempts: connection refused. ` +
        'Start it with `ollama serve`, set OLLAMA_HOST, or run with --fallback builtin',
    );
  });

  it('under --fallback builtin the section\'s reason does not advise running with it (an audit: the notes still ended "or run with --fallback builtin")', async () => {
    const port = await closedPort();
    const narrator = await createNarrator('ollama', { model: 'm', host: `http://127.0.0.1:${port}`, retry: { maxAttempts: 2, baseDelayMs: 5 } });
    const section = await groundedNarration(narrator, request, new BuiltinNarrator(), { fallbackOnError: true });
    expect(section.narratorError).toBe(
      `ollama narrator failed: cannot reach Ollama at http://127.0.0.1:${port} after 2 attempts: connection refused. Start it with \`ollama serve\` or set OLLAMA_HOST`,
    );
    expect(section.provenance.every((p) => p.flagged && p.reasons[0] === section.narratorError)).toBe(true);
  });

  it('a figure a tool revealed on the first attempt still passes on the retry (an audit: it was rejected, as the retry\'s own facts were checked alone)', async () => {
    // attempt 1: the model calls counterparty_figures (CP0001's CVA, -410,987, is revealed), then writes a paragraph
    // with a count no fact holds; attempt 2 (the regeneration, which calls no tool): the same paragraph without it
    server = await startFakeOllama((body) => {
      const again = body.messages[1]!.content.includes('Your previous answer had paragraphs');
      if (again) return chatAnswer(body.model, { content: 'Book CVA is USD 1.2m.\n\nCP0001 carries USD 411.0k of CVA.' });
      if (!body.messages.some((m) => m.role === 'tool')) return chatAnswer(body.model, { tool_calls: [{ function: { name: 'counterparty_figures', arguments: { counterpartyId: 'CP0001' } } }] });
      return chatAnswer(body.model, { content: 'Book CVA is USD 1.2m.\n\nCP0001 carries USD 411.0k of CVA across 7 netting sets.' });
    });
    const narrator = await createNarrator('ollama', { model: 'llama3.1:8b', host: server.url, retry: fast });
    const section = await groundedNarration(narrator, request, new BuiltinNarrator());
    // tool call, first answer, regeneration
    expect(server.requests).toHaveLength(3);
    expect(server.requests[2]!.body.messages.some((m) => m.role === 'tool')).toBe(false);
    expect(section.regenerated).toBe(true);
    expect(section.result.paragraphs).toEqual(['Book CVA is USD 1.2m.', 'CP0001 carries USD 411.0k of CVA.']);
    expect(section.provenance.map((p) => [p.narrator, p.flagged, p.attempt, p.cited])).toEqual([
      ['ollama', false, 2, ['book.cva']],
      ['ollama', false, 2, ['cp.CP0001.cva']],
    ]);
  });

  it('says which model to pull when the server does not have it (404, not retried)', async () => {
    server = await startFakeOllama(() => ({ status: 404, json: { error: 'model "qwen9" not found, try pulling it first' } }));
    const narrator = await createNarrator('ollama', { model: 'qwen9', host: server.url, retry: fast });
    await expect(narrator.narrate(request)).rejects.toThrow(
      `Ollama at ${server.url} has no model qwen9 (model "qwen9" not found, try pulling it first): run \`ollama pull qwen9\` there`,
    );
    expect(server.requests).toHaveLength(1);
  });

  it('times out a request that never answers', async () => {
    server = await startFakeOllama(() => ({ hang: true }));
    const narrator = await createNarrator('ollama', { model: 'm', host: server.url, timeoutMs: 150, retry: { maxAttempts: 2, baseDelayMs: 5 } });
    await expect(narrator.narrate(request)).rejects.toThrow(`Ollama at ${server.url} did not answer within 0.15 s after 2 attempts (model m)`);
  });

  it('takes the host from OLLAMA_HOST (scheme and port optional) and logs prompts only with debug', async () => {
    server = await startFakeOllama((body) => chatAnswer(body.model, { content: 'Book CVA is 1.2m.' }));
    process.env.OLLAMA_HOST = server.hostPort;
    const lines: string[] = [];
    const quiet = await createNarrator('ollama', { model: 'm', retry: fast, log: (l) => lines.push(l) });
    expect(quiet.destination).toBe(server.url);
    await quiet.narrate({ ...request, tools: [] });
    expect(lines).toEqual([]);
    const loud = await createNarrator('ollama', { model: 'm', retry: fast, debug: true, log: (l) => lines.push(l) });
    await loud.narrate({ ...request, tools: [] });
    expect(lines.some((l) => l.includes(persona.title))).toBe(true);
    expect(describeDestination(loud, 'aggregates')).toBe(
      `Narrator: Ollama model m at ${server.url}; sending aggregate figures only (--share aggregates).`,
    );
  });

  it('asks for --model', async () => {
    await expect(createNarrator('ollama', {})).rejects.toThrow('--narrator ollama needs --model');
  });

  it('an empty OLLAMA_HOST means the default host; one that is no host is a usage error naming it (not an internal error)', async () => {
    process.env.OLLAMA_HOST = '';
    expect((await createNarrator('ollama', { model: 'm' })).destination).toBe('http://127.0.0.1:11434');
    process.env.OLLAMA_HOST = 'http://[bad';
    const error = await createNarrator('ollama', { model: 'm' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(XvaUsageError);
    expect((error as Error).message).toBe('OLLAMA_HOST (or the host given) "http://[bad" is not a host: expected host[:port] or a URL such as http://127.0.0.1:11434');
  });
});

// ---------------------------------------------------------------------------------------------------------------

const ACCESS_KEY = 'AKIDEXAMPLE0TESTONLY';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const MODEL_ID = 'anthropic.claude-3-5-sonnet-20240620-v1:0';

describe('Bedrock narrator (real SDK, loopback HTTP/2 Converse endpoint)', () => {
  const saved: Record<string, string | undefined> = {};
  const env: Record<string, string | undefined> = {
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    AWS_SESSION_TOKEN: undefined,
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: undefined,
    AWS_PROFILE: undefined,
    AWS_BEARER_TOKEN_BEDROCK: undefined,
    AWS_ENDPOINT_URL: undefined,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: undefined,
    // keep the host's ~/.aws out of the chain
    AWS_CONFIG_FILE: '/nonexistent/xva-test-aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/xva-test-aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  beforeAll(() => {
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  let server: FakeBedrock | undefined;
  afterEach(async () => {
    delete process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
    await server?.close();
    server = undefined;
  });

  const toolThenText = (request: { body: { messages: unknown[] } }, throttleFirst: boolean) => (n: number) => {
    if (throttleFirst && n === 1) return bedrockError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.');
    const hasToolResult = JSON.stringify(request.body.messages).includes('toolResult');
    return hasToolResult
      ? converseAnswer([{ text: FINAL_TEXT }], 'end_turn')
      : converseAnswer([{ text: 'Let me look at the largest name.' }, { toolUse: { toolUseId: 'tooluse_01', name: 'counterparty_figures', input: { counterpartyId: 'CP0001' } } }], 'tool_use');
  };

  it('an endpoint that is not an absolute http(s) URL is a usage error before any client; the SDK\'s Node-version notice stays off stderr', async () => {
    await expect(createNarrator('bedrock', { modelId: MODEL_ID, endpoint: 'not a url' })).rejects.toThrow('--endpoint "not a url" is not an endpoint URL: expected an absolute http(s) URL');
    // credentials in the URL: refused, and never echoed (the forty-fourth session's explain audit)
    const userinfo = (await createNarrator('bedrock', { modelId: MODEL_ID, endpoint: 'http://user:s3cret@127.0.0.1:9' }).then(() => new Error('accepted'), (e: unknown) => e)) as Error;
    expect(userinfo.message).toContain('--endpoint "http://127.0.0.1:9" holds a user name or password');
    expect(userinfo.message).not.toContain('s3cret');
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = 'localhost:4566';
    await expect(createNarrator('bedrock', { modelId: MODEL_ID })).rejects.toThrow('AWS_ENDPOINT_URL_BEDROCK_RUNTIME "localhost:4566" is not an endpoint URL');
    delete process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
    const warnings: string[] = [];
    const listener = (w: Error) => warnings.push(w.message);
    process.on('warning', listener);
    const savedFlag = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    try {
      server = await startFakeBedrock(SECRET_KEY, () => converseAnswer([{ text: FINAL_TEXT }], 'end_turn'));
      const narrator = await createNarrator('bedrock', { modelId: MODEL_ID, endpoint: server.url, sdkMaxAttempts: 1, retry: fast });
      closeNarrator(narrator);
      // the notice (for Node < 22) is for whoever upgrades the SDK, not for the user of xva's pinned version
      expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.includes('NodeVersionSupportWarning'))).toEqual([]);
    } finally {
      process.off('warning', listener);
      if (savedFlag === undefined) delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
      else process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = savedFlag;
    }
  });

  it('signs with SigV4, loops toolUse → toolResult → text, and retries a ThrottlingException with its own back-off', async () => {
    server = await startFakeBedrock(SECRET_KEY, (req, n) => toolThenText(req, true)(n));
    const narrator = await createNarrator('bedrock', { modelId: MODEL_ID, endpoint: server.url, sdkMaxAttempts: 1, retry: fast });
    try {
      expect(narrator.destination).toBe(`${server.url} (region eu-west-1)`);
      const result = await narrator.narrate(request);
      // 429 (retried by our back-off, the SDK making one attempt), tool_use, end_turn
      expect(server.requests).toHaveLength(3);
      for (const r of server.requests) {
        expect(r.signatureValid).toBe(true);
        expect(r.authorization.startsWith('AWS4-HMAC-SHA256 Credential=')).toBe(true);
        expect(r.scope).toMatchObject({ accessKeyId: ACCESS_KEY, region: 'eu-west-1', service: 'bedrock' });
        expect(r.modelId).toBe(MODEL_ID);
        expect(r.raw).not.toContain('87654.3');
      }
      const [, first, second] = server.requests.map((r) => r.body);
      expect(first!.system![0]!.text).toContain(persona.rolePrompt);
      expect(first!.toolConfig!.tools.map((t) => t.toolSpec)).toEqual([
        { name: 'counterparty_figures', description: counterpartyTool.description, inputSchema: { json: counterpartyTool.parameters } },
        { name: 'largest_trade', description: leakyTool.description, inputSchema: { json: leakyTool.parameters } },
      ]);
      // the assistant's toolUse turn goes back unchanged, then a user turn with the matching toolResult
      expect(second!.messages[1]).toEqual({
        role: 'assistant',
        content: [{ text: 'Let me look at the largest name.' }, { toolUse: { toolUseId: 'tooluse_01', name: 'counterparty_figures', input: { counterpartyId: 'CP0001' } } }],
      });
      const toolResult = (second!.messages[2] as { role: string; content: { toolResult: { toolUseId: string; content: { text: string }[] } }[] });
      expect(toolResult.role).toBe('user');
      expect(toolResult.content).toHaveLength(1);
      expect(toolResult.content[0]!.toolResult.toolUseId).toBe('tooluse_01');
      expect(JSON.parse(toolResult.content[0]!.toolResult.content[0]!.text)).toEqual({
        data: { counterpartyId: 'CP0001', cva: -410_987, cvaShare: 0.3329 },
        facts: [
          { id: 'cp.CP0001.cva', label: 'CVA of CP0001', value: -410_987, unit: 'currency', currency: 'USD' },
          { id: 'cp.CP0001.cva_share', label: 'share of book CVA of CP0001', value: 0.3329, unit: 'ratio' },
        ],
      });
      expect(result.narrator).toBe('bedrock');
      expect(result.model).toBe(MODEL_ID);
      expect(result.paragraphs).toEqual([
        'Book CVA stands at USD 1.2m across 48 counterparties.',
        'CP0001 alone carries 411k, about 33% of the book.',
      ]);
      for (const p of result.paragraphs) expect(checkParagraph(p, result.facts).problems).toEqual([]);
    } finally {
      closeNarrator(narrator);
    }
  });

  it('lets the SDK retry throttling itself, and honours AWS_ENDPOINT_URL_BEDROCK_RUNTIME', async () => {
    server = await startFakeBedrock(SECRET_KEY, (req, n) => toolThenText(req, true)(n));
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = server.url;
    const narrator = await createNarrator('bedrock', { modelId: MODEL_ID, sdkMaxAttempts: 3, retry: { maxAttempts: 1 } });
    try {
      const result = await narrator.narrate(request);
      expect(server.requests).toHaveLength(3);
      expect(server.requests.every((r) => r.signatureValid)).toBe(true);
      expect(result.paragraphs).toHaveLength(2);
    } finally {
      closeNarrator(narrator);
    }
  });

  it('gives up after bounded attempts on persistent throttling, naming region and endpoint', async () => {
    server = await startFakeBedrock(SECRET_KEY, () => bedrockError(429, 'ThrottlingException', 'Too many requests'));
    const narrator = await createNarrator('bedrock', { modelId: MODEL_ID, endpoint: server.url, sdkMaxAttempts: 1, retry: fast });
    try {
      await expect(narrator.narrate(request)).rejects.toThrow(
        `Amazon Bedrock at ${server.url} (region eu-west-1) is throttling model ${MODEL_ID} after 3 attempts`,
      );
      expect(server.requests).toHaveLength(3);
    } finally {
      closeNarrator(narrator);
    }
  });

  it('the loopback verifier reproduces AWS\'s published SigV4 example and rejects a wrong key', async () => {
    // AWS General Reference, Signature Version 4 example (IAM ListUsers, 2015-08-30): published signature
    const headers = {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      host: 'iam.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, ' +
        'SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    };
    const target = '/?Action=ListUsers&Version=2010-05-08';
    expect(verifySigV4('GET', target, headers, Buffer.alloc(0), 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY').valid).toBe(true);
    expect(verifySigV4('GET', target, headers, Buffer.alloc(0), 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ').valid).toBe(false);

    // the SDK signing with a key the server does not hold: 403 InvalidSignatureException, not retried
    server = await startFakeBedrock('another-secret', () => converseAnswer([{ text: 'unreachable' }], 'end_turn'));
    const narrator = await createNarrator('bedrock', { modelId: MODEL_ID, endpoint: server.url, retry: fast });
    try {
      await expect(narrator.narrate(request)).rejects.toThrow('HTTP 403 InvalidSignatureException');
      expect(server.requests.map((r) => r.signatureValid)).toEqual([false]);
    } finally {
      closeNarrator(narrator);
    }
  });

  it('an answer that is not JSON (a proxy page) ends in one line naming model and endpoint', async () => {
    server = await startFakeBedrock(SECRET_KEY, () => ({ status: 200, json: null, text: '<html>\n<body>gateway</body>\n</html>' }));
    const narrator = await createNarrator('bedrock', { modelId: MODEL_ID, endpoint: server.url, retry: fast, sdkMaxAttempts: 1 });
    try {
      const error = await narrator.narrate(request).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).not.toContain('\n');
    } finally {
      closeNarrator(narrator);
    }
  });

  it('explains an access denial without retrying', async () => {
    server = await startFakeBedrock(SECRET_KEY, () => bedrockError(403, 'AccessDeniedException', 'You do not have access to the model'));
    const narrator = await createNarrator('bedrock', { modelId: MODEL_ID, endpoint: server.url, retry: fast });
    try {
      await expect(narrator.narrate(request)).rejects.toThrow(`denied access to model ${MODEL_ID} (AccessDeniedException)`);
      expect(server.requests).toHaveLength(1);
    } finally {
      closeNarrator(narrator);
    }
  });

  it('a figure a tool revealed on the first attempt still passes on the retry, and a fallback reason does not advise --fallback builtin', async () => {
    // as for Ollama: the first conversation's toolUse reveals CP0001's CVA; the regeneration calls no tool
    server = await startFakeBedrock(SECRET_KEY, (req) => {
      const text = JSON.stringify(req.body.messages);
      if (text.includes('Your previous answer had paragraphs')) return converseAnswer([{ text: 'Book CVA is USD 1.2m.\n\nCP0001 carries USD 411.0k of CVA.' }], 'end_turn');
      if (!text.includes('toolResult')) return converseAnswer([{ toolUse: { toolUseId: 'tooluse_01', name: 'counterparty_figures', input: { counterpartyId: 'CP0001' } } }], 'tool_use');
      return converseAnswer([{ text: 'Book CVA is USD 1.2m.\n\nCP0001 carries USD 411.0k of CVA across 7 netting sets.' }], 'end_turn');
    });
    const narrator = await createNarrator('bedrock', { modelId: MODEL_ID, endpoint: server.url, sdkMaxAttempts: 1, retry: fast });
    try {
      const section = await groundedNarration(narrator, request, new BuiltinNarrator());
      expect(server.requests).toHaveLength(3);
      expect(section.result.paragraphs).toEqual(['Book CVA is USD 1.2m.', 'CP0001 carries USD 411.0k of CVA.']);
      expect(section.provenance.map((p) => [p.narrator, p.flagged, p.attempt])).toEqual([
        ['bedrock', false, 2],
        ['bedrock', false, 2],
      ]);
    } finally {
      closeNarrator(narrator);
    }
    const port = await closedPort();
    const endpoint = `http://127.0.0.1:${port}`;
    const down = await createNarrator('bedrock', { modelId: MODEL_ID, endpoint, sdkMaxAttempts: 1, retry: { maxAttempts: 2, baseDelayMs: 5 } });
    try {
      const section = await groundedNarration(down, request, new BuiltinNarrator(), { fallbackOnError: true });
      expect(section.narratorError).toBe(
        `bedrock narrator failed: cannot reach Amazon Bedrock at ${endpoint} (region eu-west-1) after 2 attempts: connection refused. ` +
          'Check the region, the endpoint (AWS_ENDPOINT_URL_BEDROCK_RUNTIME) and the network',
      );
    } finally {
      closeNarrator(down);
    }
  });

  it('names region and endpoint when the endpoint cannot be reached', async () => {
    const port = await closedPort();
    const endpoint = `http://127.0.0.1:${port}`;
    const narrator = await createNarrator('bedrock', { modelId: MODEL_ID, endpoint, sdkMaxAttempts: 1, retry: { maxAttempts: 2, baseDelayMs: 5 } });
    try {
      const error = await narrator.narrate(request).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NarratorUnavailableError);
      expect((error as Error).message).toBe(
        `cannot reach Amazon Bedrock at ${endpoint} (region eu-west-1) after 2 attempts: connection refused. ` +
          'Check the region, the endpoint (AWS_ENDPOINT_URL_BEDROCK_RUNTIME) and the network, or run with --fallback builtin',
      );
    } finally {
      closeNarrator(narrator);
    }
  });

  describe('HTTP versions (an audit of `xva explain`: an HTTP/1.1-only --endpoint was "internal error: Protocol error", exit 1)', () => {
    const text = () => converseAnswer([{ text: FINAL_TEXT }], 'end_turn');

    it('speaks HTTP/1.1 to an endpoint given, so that an HTTP/1.1-only proxy works (flag or environment)', async () => {
      server = await startFakeBedrock(SECRET_KEY, text, 'http1');
      const narrator = await createNarrator('bedrock', { modelId: MODEL_ID, endpoint: server.url, sdkMaxAttempts: 1, retry: fast });
      try {
        const result = await narrator.narrate(request);
        expect(result.paragraphs.length).toBeGreaterThan(0);
        expect(server.requests.map((r) => [r.httpVersion, r.signatureValid])).toEqual([['1.1', true]]);
      } finally {
        closeNarrator(narrator);
      }
      process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = server.url;
      const fromEnv = await createNarrator('bedrock', { modelId: MODEL_ID, sdkMaxAttempts: 1, retry: fast });
      try {
        await fromEnv.narrate(request);
        expect(server.requests.map((r) => r.httpVersion)).toEqual(['1.1', '1.1']);
      } finally {
        closeNarrator(fromEnv);
      }
    });

    it('an HTTP/1.1-only server spoken to in HTTP/2 (the SDK\'s default, used for the regional endpoint): one line naming the endpoint and what it should speak, a usage error (exit 2)', async () => {
      server = await startFakeBedrock(SECRET_KEY, text, 'http1');
      const narrator = await createNarrator('bedrock', { modelId: MODEL_ID, endpoint: server.url, httpVersion: '2', sdkMaxAttempts: 1, retry: fast });
      try {
        const error = await narrator.narrate(request).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(NarratorUnavailableError);
        expect(error).toBeInstanceOf(XvaUsageError);
        expect((error as Error).message).toBe(
          `Amazon Bedrock at ${server.url} (region eu-west-1) did not answer in HTTP/2 (ERR_HTTP2_ERROR: Protocol error): ` +
            'the regional endpoint is spoken to in HTTP/2, as the AWS SDK does; for a proxy or endpoint that speaks HTTP/1.1 only, ' +
            'give it with --endpoint (or AWS_ENDPOINT_URL_BEDROCK_RUNTIME), which xva speaks HTTP/1.1 to',
        );
      } finally {
        closeNarrator(narrator);
      }
    });

    it('an endpoint given that speaks cleartext HTTP/2 only: one line saying HTTP/1.1 or HTTPS was expected', async () => {
      server = await startFakeBedrock(SECRET_KEY, text, 'http2');
      const narrator = await createNarrator('bedrock', { modelId: MODEL_ID, endpoint: server.url, sdkMaxAttempts: 1, retry: fast });
      try {
        const error = await narrator.narrate(request).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(NarratorUnavailableError);
        const message = (error as Error).message;
        expect(message).toMatch(new RegExp(`^Amazon Bedrock at ${server.url.replace(/[.]/g, '\\.')} \\(region eu-west-1\\) did not answer in HTTP/1\\.1 \\(HPE_[A-Z_]+: [^)]*\\): `));
        expect(message).toContain('expected the Bedrock runtime API over HTTP/1.1 or HTTPS, not a server of cleartext HTTP/2 only');
        expect(message).not.toContain('\n');
      } finally {
        closeNarrator(narrator);
      }
    });
  });

  it('preflight: resolves the credentials before any run, and fails in one line without them (no request sent)', async () => {
    server = await startFakeBedrock(SECRET_KEY, () => converseAnswer([{ text: 'unused' }], 'end_turn'));
    const ok = await createNarrator('bedrock', { modelId: MODEL_ID, endpoint: server.url, retry: fast });
    try {
      await expect(ok.preflight!()).resolves.toBeUndefined();
    } finally {
      closeNarrator(ok);
    }
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const none = await createNarrator('bedrock', { modelId: MODEL_ID, endpoint: server.url, retry: fast });
      try {
        const error = await none.preflight!().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(NarratorUnavailableError);
        expect((error as Error).message).toMatch(/^no AWS credentials for Amazon Bedrock at .* configure the standard chain/);
      } finally {
        closeNarrator(none);
      }
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
    expect(server.requests).toHaveLength(0);
  });

  it('asks for --model-id and prints the regional endpoint by default', async () => {
    await expect(createNarrator('bedrock', {})).rejects.toThrow('--narrator bedrock needs --model-id');
    const narrator = await createNarrator('bedrock', { modelId: MODEL_ID, region: 'us-east-1' });
    expect(describeDestination(narrator, 'trade-level')).toBe(
      `Narrator: Amazon Bedrock model ${MODEL_ID} at https://bedrock-runtime.us-east-1.amazonaws.com (region us-east-1); ` +
        'sending trade-level figures included (--share trade-level).',
    );
    closeNarrator(narrator);
  });
});

describe('applySharePolicy', () => {
  it('withholds trade-level facts, tools and earlier paragraphs that state a trade-level figure', () => {
    const { request: shared, withheld } = applySharePolicy({
      ...request,
      earlier: [{ persona: 'cva_trader', title: 'CVA trader', paragraphs: ['Book CVA is 1.2m.', 'Trade T000017 alone is 87.7k.'] }],
    });
    expect(shared.facts.map((f) => f.id)).toEqual(['book.cva', 'book.counterparties']);
    expect(shared.tools.map((t) => t.name)).toEqual(['counterparty_figures', 'largest_trade']);
    expect(shared.earlier[0]!.paragraphs).toEqual(['Book CVA is 1.2m.']);
    expect(withheld).toEqual({ facts: 1, tools: ['trades_of_counterparty'], earlierParagraphs: 1 });
    expect(describeDestination({ kind: 'builtin', model: 'builtin', destination: 'nowhere' }, 'aggregates')).toBe(
      'Narrator: built-in; nothing leaves this machine.',
    );
  });
});
