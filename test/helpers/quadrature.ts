/**
 * Numerical references for pricing tests, independent of the library: Simpson's rule, and a European swaption as
 * the integral of its exercised swap over the Gaussian state at expiry.
 */
import { normPdf } from '../../src/pricing/black.js';

/** ∫_a^b f by Simpson's rule on `steps` (even) intervals. */
export function simpson(f: (x: number) => number, a: number, b: number, steps: number): number {
  const h = (b - a) / steps;
  let sum = f(a) + f(b);
  for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

/**
 * Payer and receiver swaption values by brute force: `payerSwap(x)` the payer swap at expiry in the state x ~ N(0, sd²)
 * (increasing in x's sign convention: negative below the boundary), its one boundary found by bisection, then
 * disc·∫ (±payerSwap)⁺·φ over z in ±12 by Simpson on 20,000 intervals each side.
 */
export function swaptionsByIntegral(payerSwap: (x: number) => number, sd: number, discountToExpiry: number): { payer: number; receiver: number } {
  let lo = -12;
  let hi = 12;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (payerSwap(sd * mid) < 0) lo = mid;
    else hi = mid;
  }
  return {
    payer: discountToExpiry * simpson((z) => payerSwap(sd * z) * normPdf(z), hi, 12, 20000),
    receiver: discountToExpiry * simpson((z) => -payerSwap(sd * z) * normPdf(z), -12, lo, 20000),
  };
}
