/**
 * The reference for lib/cron.ts and Cron.sol: croner (npm), asked so that it means what Vixie cron means,
 * and a fast-check generator of valid expressions for the property tests.
 *
 * croner differs from Vixie cron in two places, and both are set right here rather than worked around:
 * - Day rule. Vixie cron ANDs day-of-month with day-of-week when either field starts with `*` (its
 *   DOM_STAR/DOW_STAR flags, set from the field's first character, so `*\/2` counts), and ORs them
 *   otherwise. croner ORs unless told `domAndDow: true`, and counts only a bare `*` as unrestricted
 *   (cron-parser too, with no option to AND: why croner is the reference). So each expression is given
 *   `domAndDow` = "a day field starts with `*`", which is Vixie's rule word for word; croner's own handling
 *   of a bare `*` (that field is skipped) then agrees with both branches.
 * - `a/n`. Vixie-style parsers read it as a-max/n, and max is 7 for the weekday (7 = Sunday); croner
 *   reads it only with `sloppyRanges`, and then up to 6. So `a/n` is spelled `a-max/n` for croner.
 * - SUN at the end of a range. Vixie cron reads SUN as 0 everywhere (`MON-SUN` is a reversed range, refused);
 *   croner reads `-SUN` as `-7`, so its `0-SUN` is the whole week. So `-SUN` is spelled `-0` for croner.
 * Options always: `mode: "5-part"` (exactly five fields, no seconds) and `timezone: "UTC"`.
 */
import { Cron } from "croner";
import fc from "fast-check";
import { CRON_SEARCH_MONTHS } from "../../lib/cron.js";

const FIELD_MAX: readonly number[] = [59, 23, 31, 12, 7];

/** Splits an expression into its five fields (undefined for a macro). */
function fields(expression: string): string[] | undefined {
  const trimmed = expression.trim();
  return trimmed.startsWith("@") ? undefined : trimmed.split(/[ \t]+/);
}

/** The expression as croner must read it to mean what Vixie cron means, with its options. */
export function forCroner(expression: string): { pattern: string; domAndDow: boolean } {
  const parts = fields(expression);
  if (!parts) return { pattern: expression.trim(), domAndDow: true };
  const pattern = parts
    .map((field, f) =>
      field
        .split(",")
        .map((item) =>
          item.replace(/^([^*/-]+)\/(\d+)$/, `$1-${FIELD_MAX[f]}/$2`).replace(/-sun/i, f === 4 ? "-0" : "$&"),
        )
        .join(","),
    )
    .join(" ");
  return { pattern, domAndDow: parts[2]!.startsWith("*") || parts[4]!.startsWith("*") };
}

/** croner's next run strictly after `after` (unix seconds), or undefined if it finds none. */
export function referenceNext(expression: string, after: bigint): bigint | undefined {
  const { pattern, domAndDow } = forCroner(expression);
  const cron = new Cron(pattern, { mode: "5-part", timezone: "UTC", domAndDow });
  const next = cron.nextRun(new Date(Number(after) * 1000));
  return next ? BigInt(next.getTime() / 1000) : undefined;
}

/** Whether `tick` lies within nextTick's search: its month at most CRON_SEARCH_MONTHS after the first candidate's. */
export function withinSearch(after: bigint, tick: bigint): boolean {
  const month = (t: bigint) => {
    const d = new Date(Number(t) * 1000);
    return d.getUTCFullYear() * 12 + d.getUTCMonth();
  };
  const firstCandidate = after - (after % 60n) + 60n;
  return month(tick) <= month(firstCandidate) + CRON_SEARCH_MONTHS;
}

/** What nextTick must return for `expression` after `after`: croner's answer, cut at the search bound. */
export function expectedNext(expression: string, after: bigint): bigint | undefined {
  const next = referenceNext(expression, after);
  return next !== undefined && withinSearch(after, next) ? next : undefined;
}

export const utc = (iso: string): bigint => BigInt(Date.parse(iso) / 1000);
export const iso = (t: bigint | undefined): string =>
  t === undefined ? "none" : new Date(Number(t) * 1000).toISOString().replace(".000Z", "Z");

// ───────────────────────────── generators ─────────────────────────────

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface FieldShape {
  min: number;
  max: number;
  maxStep: number;
  names?: string[];
  /** names[v - nameBase] is value v's name */
  nameBase?: number;
}

const SHAPES: FieldShape[] = [
  { min: 0, max: 59, maxStep: 60 },
  { min: 0, max: 23, maxStep: 24 },
  { min: 1, max: 31, maxStep: 31 },
  { min: 1, max: 12, maxStep: 12, names: MONTHS, nameBase: 1 },
  { min: 0, max: 7, maxStep: 7, names: WEEKDAYS, nameBase: 0 },
];

const randomCase = (name: string) =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((upper) => [...name].map((c, i) => (upper[i] ? c : c.toLowerCase())).join(""));

/** A value of the field: a number (sometimes zero-padded) or, where the field has one, its name in any case. */
function value(shape: FieldShape, v: number): fc.Arbitrary<string> {
  const options: fc.Arbitrary<string>[] = [fc.constant(String(v)), fc.constant(String(v).padStart(2, "0"))];
  const name = shape.names?.[v - (shape.nameBase ?? 0)];
  if (name) options.push(randomCase(name));
  return fc.oneof(...options);
}

function item(shape: FieldShape): fc.Arbitrary<string> {
  const v = fc.integer({ min: shape.min, max: shape.max });
  const step = fc.integer({ min: 1, max: shape.maxStep });
  const range = fc.tuple(v, v).map(([a, b]): [number, number] => (a <= b ? [a, b] : [b, a]));
  return fc.oneof(
    fc.constant("*"),
    step.map((n) => `*/${n}`),
    v.chain((a) => value(shape, a)),
    range.chain(([a, b]) => fc.tuple(value(shape, a), value(shape, b)).map(([x, y]) => `${x}-${y}`)),
    fc
      .tuple(range, step)
      .chain(([[a, b], n]) => fc.tuple(value(shape, a), value(shape, b)).map(([x, y]) => `${x}-${y}/${n}`)),
    fc.tuple(v, step).chain(([a, n]) => value(shape, a).map((x) => `${x}/${n}`)),
  );
}

function field(shape: FieldShape): fc.Arbitrary<string> {
  return fc.array(item(shape), { minLength: 1, maxLength: 3 }).map((items) => items.join(","));
}

const blank = fc.constantFrom(" ", " ", " ", "  ", "\t");

/** Any valid expression: five fields of any items, blanks between (and sometimes around), or now and then a macro. */
export const cronExpression: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 20, arbitrary: fc.tuple(...SHAPES.map(field), blank, fc.constantFrom("", " ", "\t")) },
    {
      weight: 1,
      arbitrary: fc.constantFrom("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"),
    },
  )
  .map((parts) => {
    if (typeof parts === "string") return parts;
    const [minute, hour, dom, month, dow, sep, edge] = parts;
    return `${edge}${[minute, hour, dom, month, dow].join(sep)}${edge}`;
  });

/** Expressions that stress the day rule: fixed time, and the day fields from a small set of telling shapes. */
export const dayRuleExpression: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom("*", "*/2", "*/10", "1", "13", "29", "30", "31", "1-7", "15-31/3", "29,30,31", "*/31"),
    fc.constantFrom("*", "2", "2,4", "FEB", "*/3", "4,6,9,11"),
    fc.constantFrom("*", "*/2", "*/7", "0", "7", "5", "MON-FRI", "6,7", "SAT-7", "5/2", "1-5/2"),
  )
  .map(([dom, month, dow]) => `30 12 ${dom} ${month} ${dow}`);

const FROM = utc("2000-01-01T00:00:00Z");
const TO = utc("2200-12-31T23:59:59Z");

/** A time from 2000 to 2200: any second, or one on a minute, hour or day boundary (where off-by-ones live). */
export const cronTime: fc.Arbitrary<bigint> = fc
  .tuple(fc.bigInt({ min: FROM, max: TO }), fc.constantFrom(1n, 60n, 3600n, 86400n), fc.constantFrom(0n, -1n))
  .map(([t, unit, shift]) => {
    const aligned = t - (t % unit) + (unit > 1n ? shift : 0n);
    return aligned < FROM ? FROM : aligned;
  });

/** Malformed expressions, each with the error both implementations must give: [expression, position, why]. */
export const MALFORMED: readonly (readonly [string, number, string])[] = [
  ["", 0, "too few fields"],
  ["   ", 3, "too few fields"],
  ["* * * *", 7, "too few fields"],
  ["* * * * * *", 10, "too many fields"],
  ["0 0 * * * 2030", 10, "too many fields"],
  [`0 0 1 1 ${"1,".repeat(60)}1`, 128, "longer than 128 bytes"],
  ["60 * * * *", 0, "minute out of range"],
  ["* 24 * * *", 2, "hour out of range"],
  ["* * 0 * *", 4, "day-of-month out of range"],
  ["* * 32 * *", 4, "day-of-month out of range"],
  ["* * * 13 *", 6, "month out of range"],
  ["* * * 0 *", 6, "month out of range"],
  ["* * * * 8", 8, "day-of-week out of range"],
  ["99999999999999999999 * * * *", 0, "minute out of range"],
  ["30-10 * * * *", 0, "reversed range"],
  ["* * * DEC-JAN *", 6, "reversed range"],
  ["* * * * FRI-MON", 8, "reversed range"],
  ["*/0 * * * *", 2, "zero step"],
  ["* 1-5/0 * * *", 6, "zero step"],
  ["*/61 * * * *", 2, "step out of range"],
  ["* * * * */8", 10, "step out of range"],
  ["*/ * * * *", 2, "expected a step number"],
  ["* * * * MON/x", 12, "expected a step number"],
  ["1,,2 * * * *", 2, "empty list item"],
  [",1 * * * *", 0, "empty list item"],
  ["1, * * * *", 2, "empty list item"],
  ["* * * FOO *", 6, "unknown name"],
  ["* * * * SUNDAY", 8, "unknown name"],
  ["MON * * * *", 0, "unknown name"],
  ["* * * MON *", 6, "unknown name"],
  ["* * * * JAN", 8, "unknown name"],
  ["1- * * * *", 2, "expected a value"],
  ["-5 * * * *", 0, "expected a value"],
  ["* * * * MON#2", 11, "unexpected character"],
  ["? * * * *", 0, "unexpected character"],
  ["* * L * *", 4, "unknown name"],
  ["1.5 * * * *", 1, "unexpected character"],
  ["**/2 * * * *", 1, "unexpected character"],
  ["* * * * 1\u00a0", 9, "unexpected character"],
  ["0 0 * * *\n", 9, "unexpected character"],
  ["0\u00000 * * * *", 1, "unexpected character"],
  ["@DAILY", 0, "unknown macro"],
  ["@reboot", 0, "unknown macro"],
  ["@", 0, "unknown macro"],
  ["@daily 5", 7, "too many fields"],
];

/**
 * A valid expression with a few bytes inserted, deleted or replaced: mostly malformed, sometimes still
 * valid. Both implementations must agree on each, to the error's position and words.
 */
export const mangledCronExpression: fc.Arbitrary<string> = fc
  .tuple(
    cronExpression,
    fc.array(
      fc.tuple(
        fc.constantFrom("insert", "delete", "replace"),
        fc.nat(),
        fc.constantFrom(..."0123456789*/-, \tJANMONSUNdecxyzL?#@é\u0000"),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map(([expression, edits]) => {
    let s = expression;
    for (const [kind, at, c] of edits) {
      const i = s.length === 0 ? 0 : at % (s.length + (kind === "insert" ? 1 : 0));
      if (kind === "insert") s = s.slice(0, i) + c + s.slice(i);
      else if (kind === "delete") s = s.slice(0, i) + s.slice(i + 1);
      else s = s.slice(0, i) + c + s.slice(i + 1);
    }
    return s;
  });
