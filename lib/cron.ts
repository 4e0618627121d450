/**
 * CRON schedules: the TypeScript mirror of contracts/src/Cron.sol. The CLI checks an expression with it
 * before sending, and the scheduler enqueues future ticks with it, so it must agree with the contract on
 * every input: the same grammar, the same error (position and words), the same packed spec, the same next
 * tick and the same search bound. The parser walks UTF-8 bytes, as the contract does, so an error's
 * position is a byte offset in both. test/contracts/cron.test.ts holds the two side by side.
 *
 * Semantics are Vixie cron's, in UTC: `minute hour day-of-month month day-of-week`, each field a comma
 * list of `*`, `a`, `a-b`, `*\/n`, `a-b/n` or `a/n` (= a-max/n); month and weekday names (JAN, MON;
 * any case); 0 and 7 both Sunday; and the day rule: when the day-of-month or the day-of-week field starts
 * with `*` (`*\/2` too) a day must match both, otherwise either. The macros `@yearly`, `@annually`,
 * `@monthly`, `@weekly`, `@daily`, `@midnight` and `@hourly` stand for their 5-field forms (lower case, as in
 * Vixie cron).
 */

export class CronError extends Error {
  constructor(
    /** Byte offset in the expression where the problem is (the contract reports the same). */
    readonly position: number,
    /** The contract's `why`, word for word. */
    readonly why: string,
  ) {
    super(`${why} at position ${position}`);
    this.name = "CronError";
  }
}

/** Bit sets, one bit per allowed value: what the contract packs into one uint256. */
export interface CronSpec {
  /** bit m for minute m (0-59) */
  minutes: bigint;
  /** bit h for hour h (0-23) */
  hours: bigint;
  /** bit d for day d (1-31) */
  daysOfMonth: bigint;
  /** bit m for month m (1-12) */
  months: bigint;
  /** bit w for weekday w (0 = Sunday … 6; a 7 in the expression sets bit 0) */
  daysOfWeek: bigint;
  /** The day-of-month field starts with `*`: Vixie's DOM_STAR. */
  domStar: boolean;
  /** The day-of-week field starts with `*`: Vixie's DOW_STAR. */
  dowStar: boolean;
}

/** Longer expressions are refused: the contract parses them on registration, and bytes cost gas. */
export const MAX_CRON_LENGTH = 128;
/**
 * How far `nextTick` looks: the month of the first candidate minute and the 96 after it (8 years and a
 * month). Enough for the rarest honest schedule, Feb 29 across 2100 (2096 → 2104); a schedule whose next
 * tick lies further (Feb 29 on a Sunday, `0 0 29 2 *\/7`) has none, and one that never fires costs a
 * bounded amount of gas to say so.
 */
export const CRON_SEARCH_MONTHS = 96;

// Where each field sits in the packed uint256, and the two flags.
const OFFSET = { minutes: 0n, hours: 64n, daysOfMonth: 96n, months: 128n, daysOfWeek: 144n } as const;
const DOM_STAR_BIT = 160n;
const DOW_STAR_BIT = 161n;

export function packCron(spec: CronSpec): bigint {
  return (
    (spec.minutes << OFFSET.minutes) |
    (spec.hours << OFFSET.hours) |
    (spec.daysOfMonth << OFFSET.daysOfMonth) |
    (spec.months << OFFSET.months) |
    (spec.daysOfWeek << OFFSET.daysOfWeek) |
    (spec.domStar ? 1n << DOM_STAR_BIT : 0n) |
    (spec.dowStar ? 1n << DOW_STAR_BIT : 0n)
  );
}

/** The inverse of packCron (bits outside the fields are ignored, as `Cron.next` ignores them). */
export function unpackCron(packed: bigint): CronSpec {
  return {
    minutes: (packed >> OFFSET.minutes) & MINUTES_ALL,
    hours: (packed >> OFFSET.hours) & HOURS_ALL,
    daysOfMonth: (packed >> OFFSET.daysOfMonth) & DAYS_ALL,
    months: (packed >> OFFSET.months) & MONTHS_ALL,
    daysOfWeek: (packed >> OFFSET.daysOfWeek) & WEEKDAYS_ALL,
    domStar: ((packed >> DOM_STAR_BIT) & 1n) === 1n,
    dowStar: ((packed >> DOW_STAR_BIT) & 1n) === 1n,
  };
}

const MINUTES_ALL = (1n << 60n) - 1n;
const HOURS_ALL = (1n << 24n) - 1n;
const DAYS_ALL = ((1n << 32n) - 1n) & ~1n;
const MONTHS_ALL = ((1n << 13n) - 1n) & ~1n;
const WEEKDAYS_ALL = 0x7fn;
const LONG_MONTHS = 0x15aan; // Jan, Mar, May, Jul, Aug, Oct, Dec

// ───────────────────────────── parsing ─────────────────────────────

interface Field {
  name: string;
  min: number;
  max: number;
  /** The largest step: the field's size (croner's limit too; a step that large keeps only the first value). */
  maxStep: number;
  names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { name: "minute", min: 0, max: 59, maxStep: 60 },
  { name: "hour", min: 0, max: 23, maxStep: 24 },
  { name: "day-of-month", min: 1, max: 31, maxStep: 31 },
  {
    name: "month",
    min: 1,
    max: 12,
    maxStep: 12,
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  },
  { name: "day-of-week", min: 0, max: 7, maxStep: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

const MACROS: Record<string, string> = {
  yearly: "0 0 1 1 *",
  annually: "0 0 1 1 *",
  monthly: "0 0 1 * *",
  weekly: "0 0 * * 0",
  daily: "0 0 * * *",
  midnight: "0 0 * * *",
  hourly: "0 * * * *",
};

/** Past the last byte: a value no byte has, so a NUL in the expression is a stray character, not the end. */
const END = 256;
const ch = (s: string) => s.charCodeAt(0);
const [SPACE, TAB, STAR, COMMA, DASH, SLASH, AT] = [" ", "\t", "*", ",", "-", "/", "@"].map(ch) as [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isBlank = (c: number) => c === SPACE || c === TAB;
const endsField = (c: number) => c === END || isBlank(c);

class Parser {
  constructor(private readonly bytes: Uint8Array) {}

  at(i: number): number {
    return i < this.bytes.length ? this.bytes[i]! : END;
  }

  skipBlanks(i: number): number {
    while (isBlank(this.at(i))) i++;
    return i;
  }

  /** Digits to a number; long runs saturate at 1000 so that they read as out of range, not wrap. */
  number(i: number): [number, number] {
    let v = 0;
    while (isDigit(this.at(i))) {
      v = Math.min(v * 10 + this.at(i) - 0x30, 1000);
      i++;
    }
    return [v, i];
  }

  value(field: Field, i: number): [number, number] {
    const c = this.at(i);
    if (isDigit(c)) {
      const [v, j] = this.number(i);
      if (v < field.min || v > field.max) throw new CronError(i, `${field.name} out of range`);
      return [v, j];
    }
    if (isLetter(c)) {
      let j = i;
      let word = "";
      while (isLetter(this.at(j))) word += String.fromCharCode(this.at(j++) & 0xdf); // upper case
      const index = word.length === 3 && field.names ? field.names.indexOf(word) : -1;
      if (index < 0) throw new CronError(i, "unknown name");
      return [field.min + index, j];
    }
    if (endsField(c) || c === COMMA || c === DASH || c === SLASH) throw new CronError(i, "expected a value");
    throw new CronError(i, "unexpected character");
  }

  /** One field from `i` to the blank or end after it: its bit set (unshifted), and where it stopped. */
  field(field: Field, i: number): [bigint, number] {
    let mask = 0n;
    for (;;) {
      const item = i;
      const c = this.at(i);
      if (c === COMMA || endsField(c)) throw new CronError(i, "empty list item");
      let lo: number;
      let hi: number;
      let single = false;
      if (c === STAR) {
        [lo, hi] = [field.min, field.max];
        i++;
      } else {
        [lo, i] = this.value(field, i);
        hi = lo;
        single = true;
        if (this.at(i) === DASH) {
          [hi, i] = this.value(field, i + 1);
          single = false;
          if (lo > hi) throw new CronError(item, "reversed range");
        }
      }
      let step = 1;
      if (this.at(i) === SLASH) {
        i++;
        if (!isDigit(this.at(i))) throw new CronError(i, "expected a step number");
        const stepAt = i;
        [step, i] = this.number(i);
        if (step === 0) throw new CronError(stepAt, "zero step");
        if (step > field.maxStep) throw new CronError(stepAt, "step out of range");
        if (single) hi = field.max; // `a/n` is a-max/n
      }
      for (let v = lo; v <= hi; v += step) mask |= 1n << BigInt(v);
      const next = this.at(i);
      if (next === COMMA) {
        i++;
        continue;
      }
      if (endsField(next)) return [mask, i];
      throw new CronError(i, "unexpected character");
    }
  }

  parse(): CronSpec {
    const n = this.bytes.length;
    if (n > MAX_CRON_LENGTH) throw new CronError(MAX_CRON_LENGTH, `longer than ${MAX_CRON_LENGTH} bytes`);
    let i = this.skipBlanks(0);
    if (this.at(i) === AT) return this.macro(i);
    const masks: bigint[] = [];
    let domStar = false;
    let dowStar = false;
    for (const [f, field] of FIELDS.entries()) {
      i = this.skipBlanks(i);
      if (i >= n) throw new CronError(n, "too few fields");
      if (this.at(i) === STAR) {
        if (f === 2) domStar = true;
        if (f === 4) dowStar = true;
      }
      let mask: bigint;
      [mask, i] = this.field(field, i);
      masks.push(mask);
    }
    i = this.skipBlanks(i);
    if (i < n) throw new CronError(i, "too many fields");
    const [minutes, hours, daysOfMonth, months, weekdays] = masks as [bigint, bigint, bigint, bigint, bigint];
    // Sunday is 0 and 7: fold bit 7 onto bit 0.
    const daysOfWeek = (weekdays | (weekdays >> 7n)) & WEEKDAYS_ALL;
    return { minutes, hours, daysOfMonth, months, daysOfWeek, domStar, dowStar };
  }

  macro(i: number): CronSpec {
    let j = i + 1;
    while (!endsField(this.at(j))) j++;
    const name = new TextDecoder().decode(this.bytes.subarray(i + 1, j));
    const expansion = Object.hasOwn(MACROS, name) ? MACROS[name] : undefined;
    if (expansion === undefined) throw new CronError(i, "unknown macro");
    j = this.skipBlanks(j);
    if (j < this.bytes.length) throw new CronError(j, "too many fields");
    return parseCron(expansion);
  }
}

/** Parses a 5-field cron expression (UTC); throws CronError naming the problem and its byte offset. */
export function parseCron(expression: string): CronSpec {
  return new Parser(new TextEncoder().encode(expression)).parse();
}

// ───────────────────────────── next tick ─────────────────────────────

const NONE = -1;

/** The lowest set bit of `mask` at or above `from`, or NONE. */
function nextBit(mask: bigint, from: number): number {
  const x = (mask >> BigInt(from)) << BigInt(from);
  if (x === 0n) return NONE;
  return (x & -x).toString(2).length - 1;
}

// Howard Hinnant's days-from-civil / civil-from-days (proleptic Gregorian, day 0 = 1970-01-01), for
// non-negative days only, as the contract's unsigned arithmetic has them.
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return 30 | ((m ^ (m >> 3)) & 1); // 31 in Jan, Mar, May, Jul, Aug, Oct, Dec
}

/**
 * The first day ≥ d of month (y, m) that the day rule accepts, or NONE. The weekday field becomes a bit
 * set over the month's days by rotating it to the weekday of the 1st and repeating it every 7 bits.
 */
function nextDay(spec: CronSpec, y: number, m: number, d: number): number {
  const len = daysInMonth(y, m);
  const inMonth = (1n << BigInt(len + 1)) - 2n;
  let byWeekday = inMonth;
  if (spec.daysOfWeek !== WEEKDAYS_ALL) {
    const w1 = BigInt((daysFromCivil(y, m, 1) + 4) % 7); // 1970-01-01 was a Thursday
    const week = ((spec.daysOfWeek >> w1) | (spec.daysOfWeek << (7n - w1))) & WEEKDAYS_ALL;
    byWeekday = (week * 0x10204081n) << 1n; // five weeks, day d at bit d
  }
  const both = spec.domStar || spec.dowStar;
  const days = (both ? spec.daysOfMonth & byWeekday : spec.daysOfMonth | byWeekday) & inMonth;
  return nextBit(days, d);
}

/**
 * The first tick strictly after `afterUnixSeconds`, or undefined when there is none within the search
 * bound (CRON_SEARCH_MONTHS) — exactly `Cron.next`, whose 0 is undefined here. Month by month: the
 * first allowed month, the first matching day in it, then hour, then minute; no minute-by-minute scan.
 */
export function nextTick(spec: CronSpec, afterUnixSeconds: bigint): bigint | undefined {
  if (afterUnixSeconds < 0n) throw new RangeError("a time before 1970");
  if (afterUnixSeconds >= 1n << 64n) return undefined; // the contract's timestamps are uint64
  const minutes = spec.minutes & MINUTES_ALL;
  const hours = spec.hours & HOURS_ALL;
  let months = spec.months & MONTHS_ALL;
  if (spec.domStar || spec.dowStar) {
    // AND rule: a month must hold one of the dates. Leaving out those too short for any saves the loop's
    // visits to them (gas, in the contract), and answers most schedules that never fire at once.
    const dates = spec.daysOfMonth & DAYS_ALL;
    if ((dates & 0x7ffffffen) === 0n) months &= LONG_MONTHS; // the 31st only
    if ((dates & 0x3ffffffen) === 0n) months &= ~(1n << 2n); // nothing up to the 29th: no February
  }
  if (minutes === 0n || hours === 0n || months === 0n) return undefined;
  const masked: CronSpec = {
    ...spec,
    daysOfMonth: spec.daysOfMonth & DAYS_ALL,
    daysOfWeek: spec.daysOfWeek & WEEKDAYS_ALL,
  };

  const start = afterUnixSeconds - (afterUnixSeconds % 60n) + 60n;
  const secondOfDay = Number(start % 86400n);
  let [y, m, d] = civilFromDays(Number(start / 86400n));
  let h = Math.floor(secondOfDay / 3600);
  let mi = Math.floor((secondOfDay % 3600) / 60);
  const lastMonth = y * 12 + m + CRON_SEARCH_MONTHS;

  for (;;) {
    if (m > 12 || ((months >> BigInt(m)) & 1n) === 0n) {
      let next = nextBit(months, m);
      if (next === NONE) {
        y++;
        next = nextBit(months, 1);
      }
      [m, d, h, mi] = [next, 1, 0, 0];
    }
    if (y * 12 + m > lastMonth) return undefined;
    const day = nextDay(masked, y, m, d);
    if (day === NONE) {
      [m, d, h, mi] = [m + 1, 1, 0, 0];
      continue;
    }
    if (day !== d) [d, h, mi] = [day, 0, 0];
    const hour = nextBit(hours, h);
    if (hour === NONE) {
      [d, h, mi] = [d + 1, 0, 0];
      continue;
    }
    if (hour !== h) [h, mi] = [hour, 0];
    const minute = nextBit(minutes, mi);
    if (minute === NONE) {
      [h, mi] = [h + 1, 0];
      continue;
    }
    return BigInt(daysFromCivil(y, m, d)) * 86400n + BigInt(hour * 3600 + minute * 60);
  }
}

/** Up to `count` ticks after `afterUnixSeconds`, each the next after the one before (fewer at the bound). */
export function nextTicks(spec: CronSpec, afterUnixSeconds: bigint, count: number): bigint[] {
  const ticks: bigint[] = [];
  let t = afterUnixSeconds;
  while (ticks.length < count) {
    const next = nextTick(spec, t);
    if (next === undefined) break;
    ticks.push(next);
    t = next;
  }
  return ticks;
}
