/**
 * SIMM parameters as data: risk weights, correlations, concentration thresholds and HVRs for one SIMM version, read
 * from `src/margin/parameters/simm_v<version>.json` (ISDA SIMM Methodology tables, transcribed from ORE's
 * simmcalibration XML; see docs/margin.md). A later version is one more JSON file of the same layout, bundled below.
 * Lookups here are the only place that knows the layout; the aggregation modules ask through them.
 */
import { XvaInputError } from '../../errors.js';
import type { MporDays } from './types.js';
import v25 from '../parameters/simm_v2.5.json' with { type: 'json' };
import v26 from '../parameters/simm_v2.6.json' with { type: 'json' };

type ByHorizon<T> = { '10d': T; '1d': T };
type Table = Record<string, number>;
type Matrix = { buckets?: string[]; tenors?: string[]; matrix: number[][] };

/** The JSON layout (one file per version). */
export interface SimmParameterFile {
  simm_version: string;
  effective_date: string;
  interest_rate: {
    /** `crif_bucket_for_group`: the CRIF's Bucket of a Risk_IRCurve row for each group ('1', '2', '3'). */
    currency_volatility_groups: { regular: string[]; low: string[]; crif_bucket_for_group: { regular: string; low: string; high: string } };
    tenors: string[];
    delta_risk_weights: ByHorizon<{ regular: Table; low: Table; high: Table }>;
    inflation_risk_weight: ByHorizon<number>;
    xccy_basis_risk_weight: ByHorizon<number>;
    vega_risk_weight: ByHorizon<number>;
    historical_volatility_ratio: ByHorizon<number>;
    correlations: {
      tenor_correlation_matrix: Matrix;
      sub_curve_correlation: number;
      inflation_vs_yield_curve_correlation: number;
      xccy_basis_vs_yield_curve_or_inflation_correlation: number;
      inter_currency_gamma: number;
    };
    concentration_thresholds: {
      currency_groups: {
        regular_volatility_well_traded: string[];
        regular_volatility_less_well_traded: string[];
        low_volatility: string[];
      };
      delta_usd_mm_per_bp: Table;
      vega_usd_mm: Table;
    };
  };
  credit_qualifying: {
    tenors: string[];
    delta_risk_weights: ByHorizon<Table>;
    vega_risk_weight: ByHorizon<number>;
    base_correlation_risk_weight: ByHorizon<number>;
    correlations: {
      intra_bucket_same_qualifier: number;
      intra_bucket_different_qualifier: number;
      residual_bucket_same_qualifier: number;
      residual_bucket_different_qualifier: number;
      inter_bucket: Matrix;
      base_correlation_between_qualifiers: number;
    };
    concentration_thresholds: { delta_usd_mm_per_bp: Table; vega_usd_mm: number };
  };
  credit_non_qualifying: {
    tenors: string[];
    delta_risk_weights: ByHorizon<Table>;
    vega_risk_weight: ByHorizon<number>;
    correlations: {
      intra_bucket_same_qualifier: number;
      intra_bucket_different_qualifier: number;
      residual_bucket_same_qualifier: number;
      residual_bucket_different_qualifier: number;
      inter_bucket_non_residual: number;
    };
    concentration_thresholds: { delta_usd_mm_per_bp: Table; vega_usd_mm: number };
  };
  equity: {
    delta_risk_weights: ByHorizon<Table>;
    vega_risk_weight: ByHorizon<Table>;
    historical_volatility_ratio: ByHorizon<number>;
    correlations: { intra_bucket: Table; inter_bucket: Matrix };
    concentration_thresholds: { delta_usd_mm_per_pct: Table; vega_usd_mm: Table };
  };
  commodity: {
    delta_risk_weights: ByHorizon<Table>;
    vega_risk_weight: ByHorizon<number>;
    historical_volatility_ratio: ByHorizon<number>;
    correlations: { intra_bucket: Table; inter_bucket: Matrix };
    concentration_thresholds: { delta_usd_mm_per_pct: Table; vega_usd_mm: Table };
  };
  fx: {
    volatility_groups: { high: string[] };
    delta_risk_weights: ByHorizon<{ regular: Table; high: Table }>;
    vega_risk_weight: ByHorizon<number>;
    historical_volatility_ratio: ByHorizon<number>;
    correlations: {
      delta_by_calculation_currency_group: {
        calculation_currency_regular: { regular: Table; high: Table };
        calculation_currency_high: { regular: Table; high: Table };
      };
      vega_and_curvature: number;
    };
    concentration_thresholds: {
      currency_categories: { category1: string[]; category2: string[] };
      delta_usd_mm_per_pct: Table;
      vega_usd_mm_by_currency_pair_categories: Table;
    };
  };
  risk_class_correlations_psi: { risk_classes: string[]; matrix: number[][] };
}

/** Versions shipped with the toolkit (static imports so that a build carries them). */
const BUNDLED: Record<string, SimmParameterFile> = {
  '2.5': v25 as unknown as SimmParameterFile,
  '2.6': v26 as unknown as SimmParameterFile,
};

/** The SIMM versions this build carries. */
export function bundledSimmVersions(): string[] {
  return Object.keys(BUNDLED).sort();
}

/**
 * The parameter file of a bundled SIMM version ('2.5', '2.6'). Adding a version is a change to the code: its JSON in
 * src/margin/parameters/ (the layout above), imported into BUNDLED, and named in `xva margin --simm-version`'s options.
 * Throws XvaInputError naming the versions available for any other.
 */
export function loadSimmParameterFile(version: string): SimmParameterFile {
  const bundled = BUNDLED[version];
  if (bundled) return bundled;
  throw new XvaInputError([
    {
      file: 'SIMM parameters',
      column: 'version',
      value: version,
      expected: `a SIMM version with a parameter file: one of ${bundledSimmVersions().join(', ')}`,
    },
  ]);
}

/** SIMM v2.6 §C.1.1: the volatility group of a currency's interest-rate risk (regular, low, or high: any other). */
export function irVolatilityGroupOf(file: SimmParameterFile, currency: string): 'regular' | 'low' | 'high' {
  const g = file.interest_rate.currency_volatility_groups;
  if (g.regular.includes(currency)) return 'regular';
  if (g.low.includes(currency)) return 'low';
  return 'high';
}

/**
 * The Bucket of a Risk_IRCurve row in a standard CRIF (ISDA CRIF specification): the currency's volatility group, 1
 * regular, 2 low, 3 high (the parameter file's crif_bucket_for_group).
 */
export function irCrifBucket(file: SimmParameterFile, currency: string): string {
  return file.interest_rate.currency_volatility_groups.crif_bucket_for_group[irVolatilityGroupOf(file, currency)];
}

/** Parameters of one version at one horizon (MPoR), with the lookups the aggregation needs. */
export class SimmParameters {
  readonly version: string;
  readonly horizon: '10d' | '1d';
  private readonly irTenorIndex: Map<string, number>;

  constructor(
    readonly file: SimmParameterFile,
    readonly mporDays: MporDays,
  ) {
    this.version = file.simm_version;
    this.horizon = mporDays === 10 ? '10d' : '1d';
    this.irTenorIndex = new Map(file.interest_rate.correlations.tenor_correlation_matrix.tenors!.map((t, i) => [t, i]));
  }

  static forVersion(version: string, mporDays: MporDays): SimmParameters {
    return new SimmParameters(loadSimmParameterFile(version), mporDays);
  }

  /** SIMM v2.6 §I.4 (Technical Paper): concentration thresholds apply to the 10-day calibration only. */
  get concentrationApplies(): boolean {
    return this.mporDays === 10;
  }

  // ---------- interest rate (SIMM v2.6 §C.1) ----------
  irTenors(): readonly string[] {
    return this.file.interest_rate.tenors;
  }

  isIrTenor(label: string): boolean {
    return this.irTenorIndex.has(label);
  }

  /** SIMM v2.6 §C.1.1: regular / low / high volatility currency groups. */
  irVolatilityGroup(currency: string): 'regular' | 'low' | 'high' {
    return irVolatilityGroupOf(this.file, currency);
  }

  irDeltaRiskWeight(currency: string, tenor: string): number {
    return this.file.interest_rate.delta_risk_weights[this.horizon][this.irVolatilityGroup(currency)][tenor]!;
  }

  irInflationRiskWeight(): number {
    return this.file.interest_rate.inflation_risk_weight[this.horizon];
  }

  irXccyBasisRiskWeight(): number {
    return this.file.interest_rate.xccy_basis_risk_weight[this.horizon];
  }

  irVegaRiskWeight(): number {
    return this.file.interest_rate.vega_risk_weight[this.horizon];
  }

  irHvr(): number {
    return this.file.interest_rate.historical_volatility_ratio[this.horizon];
  }

  irTenorCorrelation(tenorA: string, tenorB: string): number {
    const m = this.file.interest_rate.correlations.tenor_correlation_matrix.matrix;
    return m[this.irTenorIndex.get(tenorA)!]![this.irTenorIndex.get(tenorB)!]!;
  }

  get irCorrelations(): SimmParameterFile['interest_rate']['correlations'] {
    return this.file.interest_rate.correlations;
  }

  private irConcentrationGroup(currency: string): string {
    const g = this.file.interest_rate.concentration_thresholds.currency_groups;
    if (g.regular_volatility_well_traded.includes(currency)) return 'regular_volatility_well_traded';
    if (g.regular_volatility_less_well_traded.includes(currency)) return 'regular_volatility_less_well_traded';
    if (g.low_volatility.includes(currency)) return 'low_volatility';
    return 'high_volatility';
  }

  /** SIMM v2.6 §G.1: IR delta threshold, USD mm per bp. */
  irDeltaThresholdUsdMm(currency: string): number {
    return this.file.interest_rate.concentration_thresholds.delta_usd_mm_per_bp[this.irConcentrationGroup(currency)]!;
  }

  /** SIMM v2.6 §G.2: IR vega threshold, USD mm. */
  irVegaThresholdUsdMm(currency: string): number {
    return this.file.interest_rate.concentration_thresholds.vega_usd_mm[this.irConcentrationGroup(currency)]!;
  }

  // ---------- FX (SIMM v2.6 §C.6) ----------
  fxVolatilityGroup(currency: string): 'regular' | 'high' {
    return this.file.fx.volatility_groups.high.includes(currency) ? 'high' : 'regular';
  }

  /** SIMM v2.6 §C.6: RW by the volatility group of the currency (row) and of the calculation currency (column). */
  fxDeltaRiskWeight(currency: string, otherCurrency: string): number {
    return this.file.fx.delta_risk_weights[this.horizon][this.fxVolatilityGroup(currency)][
      this.fxVolatilityGroup(otherCurrency)
    ]!;
  }

  /** SIMM v2.6 §C.6: FX delta correlation, by the groups of both currencies and of the calculation currency. */
  fxDeltaCorrelation(currencyA: string, currencyB: string, calculationCurrency: string): number {
    const byCalc = this.file.fx.correlations.delta_by_calculation_currency_group;
    const table =
      this.fxVolatilityGroup(calculationCurrency) === 'high'
        ? byCalc.calculation_currency_high
        : byCalc.calculation_currency_regular;
    return table[this.fxVolatilityGroup(currencyA)][this.fxVolatilityGroup(currencyB)]!;
  }

  private fxCategory(currency: string): string {
    const c = this.file.fx.concentration_thresholds.currency_categories;
    if (c.category1.includes(currency)) return 'category1';
    if (c.category2.includes(currency)) return 'category2';
    return 'category3';
  }

  fxDeltaThresholdUsdMm(currency: string): number {
    return this.file.fx.concentration_thresholds.delta_usd_mm_per_pct[this.fxCategory(currency)]!;
  }

  fxVegaThresholdUsdMm(currencyA: string, currencyB: string): number {
    const table = this.file.fx.concentration_thresholds.vega_usd_mm_by_currency_pair_categories;
    const a = this.fxCategory(currencyA);
    const b = this.fxCategory(currencyB);
    return table[`${a}-${b}`] ?? table[`${b}-${a}`]!;
  }

  // ---------- shared ----------
  /** SIMM v2.6 §B.10(b): σ = RW·√(365/(1.4·MPoR))/Φ⁻¹(0.99), the multiplier of the delta RW. */
  get sigmaMultiplier(): number {
    return Math.sqrt(365 / (1.4 * this.mporDays)) / NORMAL_QUANTILE_099;
  }

  /** SIMM v2.6 §B.11(a): SF(t) = 0.5·min(1, 14/t_days) at 10 days; 0.5·min(1, 1.4/t_days) at 1 day. */
  curvatureScale(tenor: string): number {
    const days = tenorDays(tenor);
    return 0.5 * Math.min(1, (1.4 * this.mporDays) / days);
  }

  /** SIMM v2.6 §D.1: ψ between risk classes. */
  riskClassCorrelation(a: string, b: string): number {
    const psi = this.file.risk_class_correlations_psi;
    return psi.matrix[psi.risk_classes.indexOf(a)]![psi.risk_classes.indexOf(b)]!;
  }
}

/** Φ⁻¹(0.99) and Φ⁻¹(0.995) of the standard normal (SIMM v2.6 §B.10(b), §B.11(e)). */
export const NORMAL_QUANTILE_099 = 2.3263478740408408;
export const NORMAL_QUANTILE_0995 = 2.5758293035489004;

/** SIMM v2.6 §B.11(e): λ = (Φ⁻¹(0.995)² − 1)(1 + θ) − θ. */
export function curvatureLambda(theta: number): number {
  return (NORMAL_QUANTILE_0995 * NORMAL_QUANTILE_0995 - 1) * (1 + theta) - theta;
}

/** Days of a SIMM vertex for SF(t): y = 365, m = 365/12, w = 7, d = 1 (SIMM v2.6 §B.11(a)). */
export function tenorDays(tenor: string): number {
  const m = /^(\d+)([dwmy])$/.exec(tenor);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  switch (m[2]) {
    case 'y':
      return 365 * n;
    case 'm':
      return (365 / 12) * n;
    case 'w':
      return 7 * n;
    default:
      return n;
  }
}
