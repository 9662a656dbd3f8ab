import { Flags } from '@oclif/core';
import path from 'node:path';
import { XvaCommand } from '../src/cli/base.js';
import { renderTable } from '../src/cli/table.js';
import { generateBook } from '../src/fixtures/book.js';
import { FIXTURE_PRESETS, type FixturePreset } from '../src/fixtures/presets.js';
import { writeBook, type BookFormat } from '../src/fixtures/write.js';
import { PRODUCTS } from '../src/products/types.js';

export default class Fixtures extends XvaCommand {
  static override summary = 'Generate a synthetic, realistic portfolio folder (trades, counterparties, netting sets, collateral, market.yaml)';
  static override description =
    'The same preset and seed always give byte-identical files. demo: 50 counterparties, 1,000 trades. ' +
    'utb-20k: 1,000 counterparties, 1,200 netting sets, 20,000 trades. See docs/fixtures.md.';
  static override examples = [
    '<%= config.bin %> fixtures --preset demo --out ./my-demo',
    '<%= config.bin %> fixtures --preset utb-20k --seed 7 --out ./utb --format csv --json',
    '<%= config.bin %> fixtures --preset demo --calendars --out ./demo-calendars',
    '<%= config.bin %> fixtures --preset demo --amortising --out ./demo-amortising',
    '<%= config.bin %> fixtures --preset demo --caps --out ./demo-caps',
    '<%= config.bin %> fixtures --preset demo --step-up --out ./demo-step-up',
    '<%= config.bin %> fixtures --preset demo --bermudan --out ./demo-bermudan',
    '<%= config.bin %> fixtures --preset demo --mtm-xccy --out ./demo-mtm',
    '<%= config.bin %> fixtures --preset demo --payment-lag --out ./demo-lag',
  ];

  static override flags = {
    preset: Flags.string({ description: 'Which book to generate', options: [...FIXTURE_PRESETS], required: true }),
    seed: Flags.integer({ description: 'Seed of the generator (same seed, same files)', default: 42, min: 0, max: Number.MAX_SAFE_INTEGER }),
    out: Flags.string({ description: 'Folder to write the portfolio into (created if needed)', helpValue: 'DIR', required: true }),
    format: Flags.string({ description: 'Table file format', options: ['parquet', 'csv'], default: 'parquet' }),
    calendars: Flags.boolean({
      description:
        'Give every swap the holiday calendar of its currency (USD USNY, EUR TARGET, GBP GBLO, JPY JPTO, CHF CHZU; a cross-currency swap both): a calendar column in trades. Without it the schedules roll on weekends only',
      default: false,
    }),
    amortising: Flags.boolean({
      description:
        'Make three swaps in four (IRS, OIS, XCCY) amortise: linear, a fixed amount a year, or an explicit schedule (a notional_schedules table); see docs/fixtures.md',
      default: false,
    }),
    caps: Flags.boolean({
      description:
        'Make every fourth bilateral EURIBOR IRS and every fourth bilateral OIS (caps compounded in arrears) a cap (a payer swap) or floor (a receiver swap) struck at its fixed rate, sold and bought in turn; see docs/fixtures.md',
      default: false,
    }),
    bermudan: Flags.boolean({
      description: 'Make every fourth physically settled swaption Bermudan (an exercise column): exercisable on every fixed accrual start of its underlying; see docs/fixtures.md',
      default: false,
    }),
    'mtm-xccy': Flags.boolean({
      description:
        'Make every second bullet float/float cross-currency swap a mark-to-market swap (an fx_reset column: its leg without a spread, else its USD leg, resets each period); see docs/fixtures.md',
      default: false,
    }),
    'payment-lag': Flags.boolean({
      description: 'Make every OIS pay two business days after each accrual end (a payment_lag_days column), the convention of SOFR and €STR swaps; see docs/fixtures.md',
      default: false,
    }),
    'ois-lookback': Flags.boolean({
      description:
        'Make every OIS look back two business days (float_lookback_days 2; every second with the observation shift, every fourth locked out one day); see docs/fixtures.md',
      default: false,
    }),
    'step-up': Flags.boolean({
      description:
        'Make every third IRS, OIS and physical swaption a step-up: +25bp a third of the way through its life, +50bp two thirds of the way (a rate_schedules table); see docs/fixtures.md',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Fixtures);
    this.setModes(flags);
    const outDir = path.resolve(flags.out);
    const progress = this.progress(`generating ${flags.preset}`);
    const book = generateBook(flags.preset as FixturePreset, flags.seed, { calendars: flags.calendars, amortising: flags.amortising, caps: flags.caps, stepUp: flags['step-up'], bermudan: flags.bermudan, mtmXccy: flags['mtm-xccy'], paymentLag: flags['payment-lag'], oisLookback: flags['ois-lookback'] });
    progress.update(`writing ${outDir}`);
    const files = writeBook(book, outDir, flags.format as BookFormat);
    progress.stop();

    const s = book.summary;
    if (this.jsonMode) {
      this.printJson({ ...s, out: outDir, format: flags.format, files: files.map((f) => path.basename(f)) });
      return;
    }
    const rows: (string | number)[][] = PRODUCTS.map((p) => [p, String(s.tradesByProduct[p]), `${((100 * s.tradesByProduct[p]) / s.trades).toFixed(1)}%`]);
    rows.push(['total', String(s.trades), '100.0%']);
    this.say(renderTable(['product', 'trades', 'share'], rows, { title: `${s.preset} (seed ${s.seed}, as of ${s.asOf}) -> ${outDir}` }));
    this.say(
      `${s.counterparties} counterparties, ${s.nettingSets} netting sets (${s.csaNettingSets} under a CSA, ${(100 * s.csaShare).toFixed(1)}%), ` +
        `${s.clearedTrades} cleared trades, median notional ${(s.medianNotionalUsd / 1e6).toFixed(1)}m USD equivalent, ` +
        `${s.creditNames} CDS curves, ${s.proxyCurves} proxy curves`,
    );
  }
}
