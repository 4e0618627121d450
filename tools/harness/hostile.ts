/**
 * Malformed and hostile request paths for the API fuzz test: bad ids, huge numbers, bad hex, SQL and
 * script fragments, path tricks and long strings, deterministically generated from a seed.
 */
const fragments = [
  "",
  "0",
  "-1",
  "1.5",
  "1e9",
  "NaN",
  "Infinity",
  "0x",
  "0xZZ",
  `0x${"f".repeat(63)}`,
  `0x${"f".repeat(65)}`,
  `0x${"g".repeat(40)}`,
  `0X${"a".repeat(40)}`,
  "9".repeat(80),
  (2n ** 256n).toString(),
  (2n ** 64n).toString(),
  "1 OR 1=1",
  "1; DROP TABLE workflow;--",
  "' OR ''='",
  '" OR ""="',
  "1' UNION SELECT * FROM pg_user--",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "../../../../etc/passwd",
  "..%2F..%2Fetc%2Fpasswd",
  "%00",
  "%ff%fe",
  "%",
  "%E0%A4%A",
  "null",
  "undefined",
  "[]",
  "{}",
  "true",
  "\u0000",
  "😀",
  "ﬁ",
  "A".repeat(5000),
  "%20",
  "$" + "{7*7}", // template-injection probe, kept literal
  "{{7*7}}",
];

const templates = [
  (x: string) => `/api/workflows/${x}`,
  (x: string) => `/api/workflows/${x}/executions`,
  (x: string) => `/api/workflows/1/executions?limit=${x}`,
  (x: string) => `/api/workflows/1/executions?cursor=${x}`,
  (x: string) => `/api/workflows?owner=${x}`,
  (x: string) => `/api/workflows?status=${x}`,
  (x: string) => `/api/workflows?trigger=${x}`,
  (x: string) => `/api/workflows?limit=${x}`,
  (x: string) => `/api/workflows?cursor=${x}`,
  (x: string) => `/api/tx/${x}`,
  (x: string) => `/api/address/${x}`,
  (x: string) => `/api/${x}`,
  (x: string) => `/api/stats?${x}=${x}`,
  (x: string) => `/workflows/${x}`,
  (x: string) => `/tx/${x}`,
  (x: string) => `/address/${x}`,
  (x: string) => `/search?q=${x}`,
];

/** A small deterministic PRNG so a failure can be replayed. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hostilePaths(count: number, seed = 1234): string[] {
  const rand = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const paths: string[] = [];
  // every template with every fragment once, raw and URI-encoded, then random combinations
  for (const t of templates) {
    for (const f of fragments) {
      paths.push(t(f));
      paths.push(t(encodeURIComponent(f)));
    }
  }
  while (paths.length < count) {
    const a = pick(fragments);
    const b = pick(fragments);
    paths.push(pick(templates)(encodeURIComponent(a + b)));
  }
  return paths;
}
