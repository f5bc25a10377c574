/**
 * The reference Aggregator's currency table: units of each currency per US dollar, as of `date`. Fixed
 * and shipped with the code (no feed), so every run converts identically and answers can name the date
 * they used. Replacing the table is a one-file change; the date must change with it.
 */
export const RATE_TABLE = {
  date: "2026-11-30",
  perUsd: {
    USD: 1,
    EUR: 0.92,
    GBP: 0.79,
    CHF: 0.88,
    JPY: 151.2,
    CAD: 1.39,
    AUD: 1.53,
    SEK: 10.9,
    NOK: 11.1,
    DKK: 6.86,
    PLN: 4.0,
    CZK: 23.2,
    INR: 84.3,
    CNY: 7.24,
  },
} as const satisfies { date: string; perUsd: Readonly<Record<string, number>> };

export type RateCurrency = keyof typeof RATE_TABLE.perUsd;

export function hasRate(currency: string): currency is RateCurrency {
  return Object.hasOwn(RATE_TABLE.perUsd, currency);
}

const digits = new Map<string, number>();

/** The currency's minor units (2 for EUR, 0 for JPY), as ISO 4217 and Intl have them. */
function minorDigits(currency: string): number {
  let n = digits.get(currency);
  if (n === undefined) {
    n =
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ??
      2;
    digits.set(currency, n);
  }
  return n;
}

/** `amount` in `from` as `to`, rounded to `to`'s minor units; both must be in the table. */
export function convert(amount: number, from: RateCurrency, to: RateCurrency): number {
  if (from === to) return amount;
  const scale = 10 ** minorDigits(to);
  return Math.round((amount / RATE_TABLE.perUsd[from]) * RATE_TABLE.perUsd[to] * scale) / scale;
}
