/** Reads an executor's /metrics, as a dashboard would. */

/** `name{a="x",b="y"}` as its name and labels. */
function series(selector: string): { name: string; labels: Record<string, string> } {
  const open = selector.indexOf("{");
  if (open < 0) return { name: selector, labels: {} };
  const labels: Record<string, string> = {};
  for (const [, key, value] of selector.slice(open + 1, -1).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
    labels[key!] = value!;
  }
  return { name: selector.slice(0, open), labels };
}

/**
 * Values of `names` from one read of the executor's /metrics on `port`, in order (undefined for a series
 * it does not have, or when it does not answer). A name may carry labels
 * (`autokeeper_jobs_delayed_total{reason="underpriced"}`): the first series of that name that has them
 * all, in any order, whatever else it has (every autokeeper_* series also carries its `chain`).
 */
export async function executorMetrics(port: number | string, ...names: string[]): Promise<(number | undefined)[]> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
  const text = res?.ok ? await res.text() : "";
  const samples = text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const space = line.lastIndexOf(" ");
      return { ...series(line.slice(0, space)), value: Number(line.slice(space + 1)) };
    });
  return names.map((wanted) => {
    const { name, labels } = series(wanted);
    const match = samples.find(
      (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
    );
    return match?.value;
  });
}

/** The same, of one chain's series: `chain="<id>"` added to each name's labels. */
export function chainMetrics(
  port: number | string,
  chainId: number,
  ...names: string[]
): Promise<(number | undefined)[]> {
  const chain = `chain="${chainId}"`;
  return executorMetrics(
    port,
    ...names.map((n) => (n.endsWith("}") ? `${n.slice(0, -1)},${chain}}` : `${n}{${chain}}`)),
  );
}
