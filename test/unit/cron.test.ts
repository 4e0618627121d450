/**
 * lib/cron.ts against croner, asked to mean what Vixie cron means (tools/harness/cron.ts says how): the
 * parse errors, named schedules, month and year ends, leap years, the weekday and day rules, and a
 * property test over random valid expressions and times from 2000 to 2200.
 */
import { Cron } from "croner";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CRON_SEARCH_MONTHS, CronError, nextTick, nextTicks, packCron, parseCron, unpackCron } from "../../lib/cron.js";
import {
  cronExpression,
  cronTime,
  dayRuleExpression,
  expectedNext,
  iso,
  MALFORMED,
  mangledCronExpression,
  referenceNext,
  utc,
} from "../../tools/harness/cron.js";

/** nextTick as ISO text, after checking it against croner. */
function next(expression: string, after: string): string {
  const t = utc(after);
  const ours = nextTick(parseCron(expression), t);
  expect(iso(ours), `${expression} after ${after}`).toBe(iso(expectedNext(expression, t)));
  return iso(ours);
}

/** The next `count` ticks as ISO text, each checked against croner. */
function ticks(expression: string, after: string, count: number): string[] {
  const spec = parseCron(expression);
  const ours = nextTicks(spec, utc(after), count);
  let t = utc(after);
  for (const tick of ours) {
    expect(iso(tick)).toBe(iso(expectedNext(expression, t)));
    t = tick;
  }
  return ours.map(iso);
}

describe("parseCron refuses a malformed expression and names the problem", () => {
  for (const [expression, position, why] of MALFORMED) {
    it(`${JSON.stringify(expression)}: ${why} at ${position}`, () => {
      let error: unknown;
      try {
        parseCron(expression);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CronError);
      expect((error as CronError).why).toBe(why);
      expect((error as CronError).position).toBe(position);
      expect((error as CronError).message).toBe(`${why} at position ${position}`);
    });
  }

  it("gives a spec or a CronError for any mangled expression, never another exception", () => {
    fc.assert(
      fc.property(mangledCronExpression, (expression) => {
        try {
          parseCron(expression);
        } catch (e) {
          expect(e).toBeInstanceOf(CronError);
          const { position } = e as CronError;
          expect(position).toBeGreaterThanOrEqual(0);
          expect(position).toBeLessThanOrEqual(new TextEncoder().encode(expression).length);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("counts positions in UTF-8 bytes, as the contract does", () => {
    // "é" is two bytes: the stray byte after "5" is at 9 in bytes (8 in UTF-16 units)
    expect(() => parseCron("* * * * 5é")).toThrow(expect.objectContaining({ position: 9 }));
    // 64 two-byte characters are 128 bytes: too many fields, not too long; 65 are too long
    expect(() => parseCron(`* * * * * ${"é".repeat(59)}`)).toThrow(expect.objectContaining({ why: "too many fields" }));
    expect(() => parseCron(`* * * * * ${"é".repeat(60)}`)).toThrow(
      expect.objectContaining({ why: "longer than 128 bytes" }),
    );
  });
});

describe("parseCron reads what Vixie cron reads", () => {
  it("packs each field as a bit set, the day fields with their 'starts with *' flags", () => {
    const spec = parseCron("*/15 9-17 * * MON-FRI");
    expect(spec.minutes).toBe((1n << 0n) | (1n << 15n) | (1n << 30n) | (1n << 45n));
    expect(spec.hours).toBe(((1n << 18n) - 1n) & ~((1n << 9n) - 1n));
    expect(spec.daysOfMonth).toBe((1n << 32n) - 2n);
    expect(spec.months).toBe((1n << 13n) - 2n);
    expect(spec.daysOfWeek).toBe(0b0111110n);
    expect([spec.domStar, spec.dowStar]).toEqual([true, false]);
    const packed = packCron(spec);
    expect(packed >> 160n).toBe(0b01n);
    expect(unpackCron(packed)).toEqual(spec);
  });

  it("takes names in any case, in ranges and lists, and 0 and 7 both as Sunday", () => {
    expect(parseCron("0 0 1 jan-Mar,DEC *").months).toBe(0b1_0000_0000_1110n);
    expect(parseCron("0 0 * * 7").daysOfWeek).toBe(1n);
    expect(parseCron("0 0 * * 5-7").daysOfWeek).toBe(0b1100001n);
    expect(parseCron("0 0 * * sun")).toEqual(parseCron("0 0 * * 0"));
  });

  it("reads a/n as a-max/n, and a step as large as the field as its first value only", () => {
    expect(parseCron("5/20 * * * *").minutes).toBe((1n << 5n) | (1n << 25n) | (1n << 45n));
    expect(parseCron("* * * * 5/2").daysOfWeek).toBe(0b0100001n); // Fri and (7 =) Sun
    expect(parseCron("*/60 * * * *").minutes).toBe(1n);
  });

  it("sets the day flags from the first character only, as Vixie's DOM_STAR and DOW_STAR", () => {
    expect(parseCron("0 0 */2 * 1").domStar).toBe(true);
    expect(parseCron("0 0 1-31 * 1").domStar).toBe(false);
    expect(parseCron("0 0 1,* * 1").domStar).toBe(false);
    expect(parseCron("0 0 1 * *,1").dowStar).toBe(true); // Vixie looks at the first character only
  });

  it("takes blanks and tabs around and between fields", () => {
    expect(parseCron("\t 0  9\t* * 1 ")).toEqual(parseCron("0 9 * * 1"));
  });

  it("expands the macros to their 5-field forms", () => {
    expect(parseCron("@yearly")).toEqual(parseCron("0 0 1 1 *"));
    expect(parseCron("@annually")).toEqual(parseCron("0 0 1 1 *"));
    expect(parseCron("@monthly")).toEqual(parseCron("0 0 1 * *"));
    expect(parseCron(" @weekly ")).toEqual(parseCron("0 0 * * 0"));
    expect(parseCron("@daily")).toEqual(parseCron("0 0 * * *"));
    expect(parseCron("@midnight")).toEqual(parseCron("0 0 * * *"));
    expect(parseCron("@hourly")).toEqual(parseCron("0 * * * *"));
  });
});

describe("nextTick agrees with croner", () => {
  it("every 15 minutes in working hours on weekdays", () => {
    expect(ticks("*/15 9-17 * * MON-FRI", "2025-03-14T17:44:00Z", 3)).toEqual([
      "2025-03-14T17:45:00Z",
      "2025-03-17T09:00:00Z", // Friday's last, then Monday's first
      "2025-03-17T09:15:00Z",
    ]);
    expect(next("*/15 9-17 * * MON-FRI", "2025-03-17T08:59:59Z")).toBe("2025-03-17T09:00:00Z");
    expect(next("*/15 9-17 * * MON-FRI", "2025-03-17T09:00:00Z")).toBe("2025-03-17T09:15:00Z"); // strictly after
  });

  it("monthly on the 1st at midnight", () => {
    expect(ticks("0 0 1 * *", "2025-01-15T12:00:00Z", 3)).toEqual([
      "2025-02-01T00:00:00Z",
      "2025-03-01T00:00:00Z",
      "2025-04-01T00:00:00Z",
    ]);
  });

  it("at month ends: the 31st skips 30-day months and February, the 30th skips February", () => {
    expect(ticks("0 0 31 * *", "2025-01-31T00:00:00Z", 3)).toEqual([
      "2025-03-31T00:00:00Z",
      "2025-05-31T00:00:00Z",
      "2025-07-31T00:00:00Z",
    ]);
    expect(next("59 23 30 * *", "2025-01-30T23:59:00Z")).toBe("2025-03-30T23:59:00Z");
    expect(next("0 12 28-31 2 *", "2024-02-28T12:00:00Z")).toBe("2024-02-29T12:00:00Z");
  });

  it("in leap years: Feb 29 in 2028, none in 2100, so 2096 → 2104 (the search bound's case)", () => {
    expect(next("0 0 29 2 *", "2025-06-01T00:00:00Z")).toBe("2028-02-29T00:00:00Z");
    expect(next("0 0 29 2 *", "2096-02-29T00:00:00Z")).toBe("2104-02-29T00:00:00Z");
    expect(next("0 0 29 2 *", "2096-03-01T00:00:00Z")).toBe("2104-02-29T00:00:00Z");
    expect(next("0 0 * 2 *", "2100-02-28T00:00:00Z")).toBe("2101-02-01T00:00:00Z"); // no Feb 29 in 2100
    expect(next("0 0 29 2 *", "1999-03-01T00:00:00Z")).toBe("2000-02-29T00:00:00Z"); // 2000: divisible by 400
  });

  it("across year ends", () => {
    expect(next("59 23 31 12 *", "2025-12-31T23:58:00Z")).toBe("2025-12-31T23:59:00Z");
    expect(next("0 0 1 1 *", "2099-12-31T23:59:00Z")).toBe("2100-01-01T00:00:00Z");
    expect(next("* * * * *", "2199-12-31T23:59:59Z")).toBe("2200-01-01T00:00:00Z");
    expect(next("0 0 * * MON", "2025-12-30T00:00:00Z")).toBe("2026-01-05T00:00:00Z");
  });

  it("on weekdays: 0, 7 and SUN are Sunday; ranges through 7 end on Sunday", () => {
    for (const sunday of ["0", "7", "SUN", "sun"]) {
      expect(next(`0 0 * * ${sunday}`, "2025-03-10T00:00:00Z")).toBe("2025-03-16T00:00:00Z");
    }
    expect(ticks("0 0 * * 6-7", "2025-03-10T00:00:00Z", 2)).toEqual(["2025-03-15T00:00:00Z", "2025-03-16T00:00:00Z"]);
    expect(ticks("0 0 * * 5/2", "2025-03-10T00:00:00Z", 2)).toEqual(["2025-03-14T00:00:00Z", "2025-03-16T00:00:00Z"]);
  });

  it("ORs the day fields when both are restricted: the 13th or a Friday", () => {
    expect(ticks("0 0 13 * 5", "2025-06-01T00:00:00Z", 3)).toEqual([
      "2025-06-06T00:00:00Z", // a Friday
      "2025-06-13T00:00:00Z", // the 13th (and a Friday)
      "2025-06-20T00:00:00Z",
    ]);
    expect(next("0 0 13 * 5", "2025-07-11T00:00:00Z")).toBe("2025-07-13T00:00:00Z"); // a Sunday, the 13th
  });

  it("ANDs them when either starts with '*', '*/n' too (where croner alone would OR)", () => {
    // odd days that are Mondays: 2025-03-17, not Tuesday the 11th
    expect(next("0 0 */2 * 1", "2025-03-10T00:00:00Z")).toBe("2025-03-17T00:00:00Z");
    // the 1st when it is a Sunday: June 2025
    expect(next("0 0 1 * */7", "2025-03-01T00:00:00Z")).toBe("2025-06-01T00:00:00Z");
    // croner without domAndDow reads */2 as restricted and ORs (Tuesday the 11th): hence the option
    const plain = new Cron("0 0 */2 * 1", { mode: "5-part", timezone: "UTC" }).nextRun(
      new Date("2025-03-10T00:00:00Z"),
    );
    expect(plain?.toISOString()).toBe("2025-03-11T00:00:00.000Z");
    // a bare '*' on either side: the other field alone decides
    expect(next("0 0 * * 3", "2025-03-10T00:00:00Z")).toBe("2025-03-12T00:00:00Z");
    expect(next("0 0 20 * *", "2025-03-10T00:00:00Z")).toBe("2025-03-20T00:00:00Z");
  });

  it("has no tick for a schedule that never fires, nor for one past the search bound", () => {
    for (const never of ["0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 31 2 */7"]) {
      expect(nextTick(parseCron(never), utc("2025-01-01T00:00:00Z")), never).toBeUndefined();
      expect(referenceNext(never, utc("2025-01-01T00:00:00Z")), never).toBeUndefined();
    }
    // Feb 29 on a Sunday (AND: dow starts with '*'): 2032, then 2060, 2088, and 2128 across 2100
    expect(next("0 0 29 2 */7", "2025-01-01T00:00:00Z")).toBe("2032-02-29T00:00:00Z");
    const far = utc("2088-03-01T00:00:00Z");
    expect(iso(referenceNext("0 0 29 2 */7", far))).toBe("2128-02-29T00:00:00Z");
    expect(nextTick(parseCron("0 0 29 2 */7"), far)).toBeUndefined();
    expect(CRON_SEARCH_MONTHS).toBe(96);
  });

  it("lists the next ticks in order, and stops at the bound", () => {
    expect(ticks("@hourly", "2025-03-10T22:30:00Z", 3)).toEqual([
      "2025-03-10T23:00:00Z",
      "2025-03-11T00:00:00Z",
      "2025-03-11T01:00:00Z",
    ]);
    expect(nextTicks(parseCron("0 0 30 2 *"), 0n, 3)).toEqual([]);
    expect(nextTicks(parseCron("0 0 1 1 *"), 0n, 0)).toEqual([]);
  });

  it("rounds a time inside a minute up to the next minute", () => {
    expect(next("* * * * *", "2025-03-10T12:00:30Z")).toBe("2025-03-10T12:01:00Z");
    expect(iso(nextTick(parseCron("* * * * *"), 59n))).toBe("1970-01-01T00:01:00Z");
  });

  it("has no tick past the uint64 times the registry stores, and refuses times before 1970", () => {
    const late = (1n << 64n) - 61n;
    expect(nextTick(parseCron("* * * * *"), late)).toBe(late - (late % 60n) + 60n);
    expect(nextTick(parseCron("* * * * *"), 1n << 64n)).toBeUndefined();
    expect(() => nextTick(parseCron("* * * * *"), -1n)).toThrow(RangeError);
  });
});

describe("nextTick equals croner for random schedules and times, 2000 to 2200", () => {
  it("any valid expression", () => {
    fc.assert(
      fc.property(cronExpression, cronTime, (expression, after) => {
        expect(iso(nextTick(parseCron(expression), after)), `${JSON.stringify(expression)} after ${iso(after)}`).toBe(
          iso(expectedNext(expression, after)),
        );
      }),
      { numRuns: 1500 },
    );
  });

  it("day-of-month against day-of-week, AND and OR", () => {
    fc.assert(
      fc.property(dayRuleExpression, cronTime, (expression, after) => {
        expect(iso(nextTick(parseCron(expression), after)), `${expression} after ${iso(after)}`).toBe(
          iso(expectedNext(expression, after)),
        );
      }),
      { numRuns: 800 },
    );
  });
});
