/**
 * The market factors a shard simulates (docs/scale.md, "Paths"). The engine factorises the correlation per connected
 * block of factors and draws each driver from its own counter-based Philox stream (stepPlan.ts, simulate.ts), so the
 * paths of a union of WHOLE blocks of the book's layout are, bit for bit, the single run's paths of those factors
 * (xva/whatIf/paths.ts explains it for the what-if). A shard therefore simulates only the blocks its netting sets
 * need, closed under what the model ties together (the base currency's LGM factor and numeraire, a currency's FX
 * factor, an equity's currency): `closedLayout` of its trades' needs within the book's layout.
 *
 * What a shard records about the model stays the whole book's (the manifest's `model`, which the merge compares and
 * copies into the single run's manifest); what the shard itself simulated goes into its `shard.factors` section,
 * which the run key leaves out (each shard's list differs).
 */
import { XvaInternalError } from '../errors.js';
import { factorNeeds } from '../exposure/engine.js';
import { describeModel } from '../exposure/modelView.js';
import type { Market } from '../market/types.js';
import { buildCrossAssetModel } from '../simulation/crossAsset/model.js';
import { buildFactorLayout, type FactorNeeds } from '../simulation/layout.js';
import type { FactorLayout } from '../simulation/types.js';
import { closedLayout, factorBlocks, needsOfFactors } from '../xva/whatIf/paths.js';
import type { BookPlan, ShardPlan } from './plan.js';

/** What the manifest's `shard.factors` says: the shard's simulated factors against the book's. */
export interface ShardFactorsRecord {
  /** Factor names the shard simulated, in layout order (empty for an empty shard). */
  simulated: string[];
  /** Correlation blocks of the book's layout those factors make up. */
  blocks: number;
  bookFactors: number;
  bookBlocks: number;
}

export interface ShardFactors {
  /** The whole book's layout (a single run's). */
  bookLayout: FactorLayout;
  /** The shard's layout: whole blocks of the book's layout; undefined for an empty shard. */
  layout?: FactorLayout;
  /** The engine's `layoutNeeds` for the shard (undefined for an empty shard). */
  needs?: FactorNeeds;
  record: ShardFactorsRecord;
}

/** The shard's layout: the blocks of the book's layout its netting sets' trades touch, closed under the model's ties. */
export function shardFactors(market: Market, book: BookPlan, plan: ShardPlan): ShardFactors {
  const bookLayout = buildFactorLayout(market, book.layoutNeeds);
  const blocks = factorBlocks(market, bookLayout.factorNames);
  const trades = plan.counterparties.flatMap((cp) => cp.sets.flatMap((s) => s.trades));
  if (trades.length === 0) {
    return { bookLayout, record: { simulated: [], blocks: 0, bookFactors: bookLayout.factorNames.length, bookBlocks: blocks.length } };
  }
  const layout = closedLayout(market, factorNeeds(trades), bookLayout);
  const mine = new Set(layout.factorNames);
  return {
    bookLayout,
    layout,
    needs: needsOfFactors(layout.factorNames),
    record: {
      simulated: [...layout.factorNames],
      blocks: blocks.filter((b) => b.some((name) => mine.has(name))).length,
      bookFactors: bookLayout.factorNames.length,
      bookBlocks: blocks.length,
    },
  };
}

/** The model as a single run's manifest records it (exposure/modelView.ts describeModel of the book's layout). */
export function bookModelRecord(market: Market, bookLayout: FactorLayout): Record<string, unknown> {
  return describeModel(buildCrossAssetModel(market, bookLayout), market);
}

interface ModelView {
  factors?: unknown;
  correlation?: { blocks?: unknown };
}

const blockKey = (names: readonly string[]): string => [...names].sort().join('\n');

/**
 * Guard of the bit-for-bit claim: the engine simulated exactly the shard's layout, and each of its correlation blocks
 * is a block of the book's model (a block cut in two, or merged with another, would draw other paths).
 */
export function checkShardModel(shardModel: Record<string, unknown>, bookModel: Record<string, unknown>, layout: FactorLayout): void {
  const shard = shardModel as ModelView;
  const factors = shard.factors as string[] | undefined;
  if (!Array.isArray(factors) || factors.join(',') !== layout.factorNames.join(',')) {
    throw new XvaInternalError(`shard simulated factors ${String(factors)} instead of its layout ${layout.factorNames.join(',')}`);
  }
  const bookBlocks = new Set(((bookModel as ModelView).correlation?.blocks as string[][] | undefined)?.map(blockKey) ?? []);
  for (const block of (shard.correlation?.blocks as string[][] | undefined) ?? []) {
    if (!bookBlocks.has(blockKey(block))) throw new XvaInternalError(`shard correlation block ${block.join(',')} is not a block of the book's model`);
  }
}
