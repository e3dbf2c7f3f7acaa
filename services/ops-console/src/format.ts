// Money, dates and numbers in the reader's locale. Amounts stay decimal strings until shown.

export interface Formatters {
  money(amount: string | null | undefined, currency: string): string;
  date(iso: string | null | undefined): string;
  dateTime(iso: string | null | undefined): string;
  number(value: string | number | null | undefined, digits?: number): string;
  month(isoMonth: string): string;
}

export function formatters(locale: string): Formatters {
  const moneyFormats = new Map<string, Intl.NumberFormat>();
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
  const dateTimeFormat = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "Europe/Brussels",
  });
  const monthFormat = new Intl.DateTimeFormat(locale, {
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
  return {
    money(amount, currency) {
      if (amount === null || amount === undefined || amount === "") return "—";
      let format = moneyFormats.get(currency);
      if (!format) {
        format = new Intl.NumberFormat(locale, { style: "currency", currency });
        moneyFormats.set(currency, format);
      }
      // Intl formats a decimal string exactly (no detour through a float).
      return format.format(amount as unknown as number);
    },
    date(iso) {
      if (!iso) return "—";
      return dateFormat.format(new Date(`${iso.slice(0, 10)}T00:00:00Z`));
    },
    dateTime(iso) {
      if (!iso) return "—";
      return dateTimeFormat.format(new Date(iso));
    },
    number(value, digits = 2) {
      if (value === null || value === undefined || value === "") return "—";
      return new Intl.NumberFormat(locale, {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      }).format(value as unknown as number);
    },
    month(isoMonth) {
      return monthFormat.format(new Date(`${isoMonth.slice(0, 7)}-01T00:00:00Z`));
    },
  };
}

/** Decimal strings added in cents (exact for money). */
export function addMoney(...amounts: string[]): string {
  const cents = amounts.reduce((sum, a) => sum + toCents(a), 0n);
  return fromCents(cents);
}

export function toCents(amount: string): bigint {
  const trimmed = amount.trim();
  const negative = trimmed.startsWith("-");
  const [whole = "0", fraction = ""] = trimmed.replace(/^[-+]/, "").split(".");
  const cents = BigInt(whole || "0") * 100n + BigInt((fraction + "00").slice(0, 2));
  return negative ? -cents : cents;
}

export function fromCents(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = abs / 100n;
  const fraction = (abs % 100n).toString().padStart(2, "0");
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}

export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDate(d);
}

/** The last day of each of the ``count`` months ending with ``asOf``'s month (that one: asOf). */
export function monthEnds(asOf: string, count: number): string[] {
  const ends: string[] = [asOf];
  const d = new Date(`${asOf.slice(0, 7)}-01T00:00:00Z`);
  for (let i = 1; i < count; i++) {
    d.setUTCDate(0); // the last day of the month before
    ends.unshift(isoDate(d));
    d.setUTCDate(1);
  }
  return ends;
}
