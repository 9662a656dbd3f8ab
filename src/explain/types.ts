/**
 * Contracts of `xva explain` (docs/explain.md). The engine's results become facts (numbers with ids and units); desk
 * personas, each with a role prompt and read-only tools over the results, ask a narrator for prose; every number the
 * prose states is checked against the facts the narrator was given before the paragraph is used.
 *
 * Data flows one way: results → facts/tools (facts.ts) → personas in dependency order (personas.ts) → narrator
 * (narrators/: builtin, ollama, bedrock) → fact check (grounding/) → report (report/: markdown, SVG charts, html).
 */

export const PERSONA_IDS = ['cva_trader', 'fva_specialist', 'capital_optimiser', 'collateral_manager', 'head_of_desk'] as const;
export type PersonaId = (typeof PERSONA_IDS)[number];

export type FactUnit = 'currency' | 'bp' | 'pct' | 'count' | 'years' | 'ratio' | 'flag';

/** One number the engine produced, as prose may cite it. */
export interface Fact {
  /** Stable id, e.g. `book.cva`, `cp.CP0001.cva`, `scenario.credit_up_100bp.d_cva`, `plan.saving`. */
  id: string;
  /** Words a reader understands ("book CVA", "CVA of CP0001"). */
  label: string;
  value: number;
  unit: FactUnit;
  /** ISO code for unit 'currency'. */
  currency?: string;
  /** Where it came from: file or run and column (`cva_counterparty.arrow:cva`). */
  source: string;
  /** True for figures below the aggregate level (a trade's): they leave the machine only with --share trade-level. */
  tradeLevel?: boolean;
  /** Words the engine wrote beside the number (an action's reason for not being chosen: `limit maxUnwinds`). */
  note?: string;
}

/** A read-only tool a persona may call (the LLM narrators expose them through native tool calling). */
export interface PersonaTool {
  name: string;
  description: string;
  /** JSON Schema of the arguments (an object schema). */
  parameters: Record<string, unknown>;
  /**
   * True when the tool answers below the aggregate level (per trade): an LLM narrator offers it only with
   * `--share trade-level` (narrators/privacy.ts). Added by the narrators' work, optional.
   */
  tradeLevel?: boolean;
  /** Runs the tool: returns JSON-serialisable data and the facts it revealed (which prose may then cite). */
  run(args: Record<string, unknown>): Promise<{ data: unknown; facts: Fact[] }>;
}

export interface PersonaSpec {
  id: PersonaId;
  /** The role's title as the report prints it ("CVA trader"); never a personal name. */
  title: string;
  /** Personas whose sections this one reads first. */
  dependsOn: readonly PersonaId[];
  /** The role prompt (system prompt of the LLM narrators; the builtin writer's brief). */
  rolePrompt: string;
}

export type ShareLevel = 'aggregates' | 'trade-level';

export interface NarrationRequest {
  persona: PersonaSpec;
  /** The facts the persona starts from (already filtered for the share level). */
  facts: readonly Fact[];
  tools: readonly PersonaTool[];
  /** Sections already written by the personas it depends on. */
  earlier: readonly { persona: PersonaId; title: string; paragraphs: readonly string[] }[];
  share: ShareLevel;
  /** When set, the previous attempt's paragraphs were rejected for these reasons: write them again. */
  rejected?: readonly { paragraph: string; reasons: readonly string[] }[];
}

export interface NarrationResult {
  paragraphs: string[];
  /** Every fact given to or revealed to the narrator during this narration (the fact check's reference set). */
  facts: Fact[];
  /** Fact ids the narrator says it used (builtin: exact; LLMs: those its tools returned or it named). */
  cited: string[];
  narrator: 'builtin' | 'ollama' | 'bedrock';
  model: string;
}

export interface Narrator {
  readonly kind: 'builtin' | 'ollama' | 'bedrock';
  readonly model: string;
  /** Where data is sent ('nowhere (local, built-in)', 'http://localhost:11434', 'bedrock-runtime.eu-west-1.amazonaws.com'). */
  readonly destination: string;
  narrate(request: NarrationRequest): Promise<NarrationResult>;
  /**
   * A cheap check, before any long run, that the narrator can answer: the model is there, the server reachable, the
   * credentials found. Sends no figures. Throws the same one-line error `narrate` would.
   */
  preflight?(): Promise<void>;
}

/** The outcome of checking one paragraph's numbers against facts. */
export interface ParagraphCheck {
  ok: boolean;
  /** One line per unsupported or wrong figure ("12.5m: no fact within its rounding"). */
  problems: string[];
  /** Fact ids the paragraph's numbers matched. */
  matched: string[];
  /** Per figure read (in order), the fact ids it matched (empty: unsupported). */
  figures: { text: string; matched: string[] }[];
}
