/**
 * Step rows that no coupon period takes (docs/inputs.md, "Step-up rates" and "Amortising swaps"): a coupon period
 * takes the rate (notional) in force on its accrual start (products/rateSteps.ts, products/amortization.ts), so a step
 * dated inside a period applies from the next accrual start. A step whose rolled date is after a leg's last accrual
 * start has no next period, and a step followed by another before the next accrual start is replaced before any
 * period reads it: the row is valid but changes no coupon, which is most likely a misdated row. A warning on its
 * `from_date` cell, naming the period it falls in.
 */
import { adjust } from '../conventions/calendar.js';
import { toIsoDate, type DateSerial } from '../conventions/dates.js';
import { calendarNamed } from '../conventions/holidays.js';
import { buildSchedule } from '../conventions/schedule.js';
import type { IssueCollector } from '../errors.js';
import type { ScheduleTerms } from '../products/types.js';

/** A leg whose coupons read the steps, and how a message names it ("fixed leg", "caplets"). */
export interface SteppedLeg {
  name: string;
  terms: ScheduleTerms;
}

/** Where a step row lands on one leg: the first accrual start on or after its rolled date, and the next step's. */
interface Landing {
  rolled: DateSerial;
  /** Index of the first accrual start on or after the rolled date (= the period count when there is none). */
  next: number;
  /** The next step's rolled date (Infinity for the last step). */
  nextStep: number;
  starts: Int32Array;
  ends: Int32Array;
}

/**
 * Warns on each of the trade's rows (already checked: inside the trade's life, one per date) that no coupon period of
 * any of `legs` takes. `what` names the stepped value ("fixed rate", "strike", "notional"); `besides` what else reads
 * the step, when something does (a notional step still enters SA-CCR's average notional).
 */
export function warnIdleSteps(
  issues: IssueCollector,
  entry: { file: string; rows: readonly { row: number; fromDate: DateSerial }[] },
  tradeId: string,
  legs: readonly SteppedLeg[],
  what: string,
  besides = '',
): void {
  const sorted = [...entry.rows].sort((a, b) => a.fromDate - b.fromDate || a.row - b.row);
  const schedules = legs.map(({ terms }) => buildSchedule(terms));
  if (schedules.some((s) => s.count === 0)) return;
  const perLeg = legs.map(({ terms }, j) => {
    const schedule = schedules[j]!;
    // step dates roll like the schedule's own dates (products/rateSteps.ts, products/amortization.ts)
    const calendar = calendarNamed(terms.calendar);
    const rolled = sorted.map((s) => adjust(s.fromDate, terms.businessDayConvention, calendar));
    return rolled.map((date, i): Landing => {
      let next = 0;
      while (next < schedule.count && schedule.accrualStart[next]! < date) next++;
      return { rolled: date, next, nextStep: i + 1 < rolled.length ? rolled[i + 1]! : Infinity, starts: schedule.accrualStart, ends: schedule.accrualEnd };
    });
  });
  sorted.forEach(({ row, fromDate }, i) => {
    const landings = perLeg.map((l) => l[i]!);
    // taken when some leg has an accrual start on or after the step and before the next step
    if (landings.some((l) => l.next < l.starts.length && l.starts[l.next]! < l.nextStep)) return;
    const value = toIsoDate(fromDate);
    const rolledNote = (l: Landing) => (l.rolled !== fromDate ? ` (rolled to ${toIsoDate(l.rolled)})` : '');
    const afterLast = landings.every((l) => l.next >= l.starts.length);
    let expected: string;
    if (afterLast) {
      // the leg whose last period starts latest: the step is inside that period too
      let k = 0;
      for (let j = 1; j < landings.length; j++) if (last(landings[j]!.starts) > last(landings[k]!.starts)) k = j;
      const l = landings[k]!;
      const lastStart = toIsoDate(last(l.starts));
      expected =
        `a date on or before ${lastStart}, the last accrual start of trade ${tradeId}'s ${legs[k]!.name}: this step${rolledNote(l)} falls inside its ` +
        `last period ${lastStart} to ${toIsoDate(last(l.ends))}, and a step applies from the next accrual start, so this ${what} never takes effect${besides}`;
    } else {
      const l = landings.find((x) => x.next < x.starts.length)!;
      const following = sorted[i + 1]!;
      expected =
        `a date with an accrual start of trade ${tradeId} before the next step: this step${rolledNote(l)} is replaced by row ${following.row}'s ` +
        `(from_date ${toIsoDate(following.fromDate)}) before the next accrual start ${toIsoDate(l.starts[l.next]!)}, so this ${what} never takes effect${besides}`;
    }
    issues.add({ file: entry.file, row, column: 'from_date', value, expected, severity: 'warning' });
  });
}

function last(dates: Int32Array): DateSerial {
  return dates[dates.length - 1]!;
}
