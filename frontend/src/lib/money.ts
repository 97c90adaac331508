// Money travels as a decimal string (`"12500"`, `"-350.50"`) and is shown as people write it
// in Kazakhstan: groups of three split by a (non-breaking) space, the sign before the digits
// and the currency sign after: "12 500 ₸".

const NBSP = "\u00a0";
const SIGNS: Record<string, string> = { KZT: "₸", RUB: "₽", USD: "$", EUR: "€", KGS: "сом", UZS: "сўм" };

export function currencySign(currency: string): string {
  return SIGNS[currency] ?? currency;
}

/** "12500.00" → "12 500 ₸"; "-350.5" → "−350,50 ₸". Kopecks only when there are some. */
export function formatMoney(amount: string | null | undefined, currency = "KZT"): string {
  if (amount === null || amount === undefined || amount === "") return "—";
  const match = /^\s*(-?)(\d+)(?:\.(\d+))?\s*$/.exec(amount);
  if (!match) return amount;
  const [, sign = "", whole = "0", fraction = ""] = match;
  const digits = whole.replace(/^0+(?=\d)/, "");
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  const cents = fraction.replace(/0+$/, "");
  const tail = cents ? `,${fraction.padEnd(2, "0").slice(0, 2)}` : "";
  const negative = sign === "-" && (/[1-9]/.test(digits) || /[1-9]/.test(cents));
  return `${negative ? "−" : ""}${grouped}${tail}${NBSP}${currencySign(currency)}`;
}

/**
 * What a person typed into a money field ("12 500", "12500,5", "1 000.00") as the decimal
 * string the API takes, or null when it is not an amount.
 */
export function parseMoney(input: string, { allowNegative = false } = {}): string | null {
  const cleaned = input.replace(/[\s\u00a0\u202f₸]/g, "").replace(",", ".").replace("−", "-");
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(cleaned);
  if (!match) return null;
  const [, sign = "", whole = "0", fraction] = match;
  if (sign && !allowNegative) return null;
  const digits = whole.replace(/^0+(?=\d)/, "");
  return `${sign}${digits}${fraction ? `.${fraction.padEnd(2, "0")}` : ""}`;
}

/** a − b on decimal strings, exact (in minor units). */
export function subtractMoney(a: string, b: string): string {
  return fromMinor(toMinor(a) - toMinor(b));
}

/** The sum of decimal strings, exact. */
export function sumMoney(...values: string[]): string {
  return fromMinor(values.reduce((acc, v) => acc + toMinor(v), 0n));
}

function toMinor(value: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) return 0n;
  const [, sign = "", whole = "0", fraction = ""] = match;
  const minor = BigInt(whole) * 100n + BigInt((fraction + "00").slice(0, 2));
  return sign ? -minor : minor;
}

function fromMinor(minor: bigint): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const whole = abs / 100n;
  const cents = abs % 100n;
  const text = cents === 0n ? `${whole}` : `${whole}.${cents.toString().padStart(2, "0")}`;
  return negative ? `-${text}` : text;
}
