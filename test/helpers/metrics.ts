/** Reads an executor's /metrics, as a dashboard would. */

/**
 * Values of `names` from one read of the executor's /metrics on `port`, in order (undefined for a series
 * it does not have, or when it does not answer). A name may carry its labels
 * (`autokeeper_jobs_delayed_total{reason="underpriced"}`): matched literally.
 */
export async function executorMetrics(port: number | string, ...names: string[]): Promise<(number | undefined)[]> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
  const text = res?.ok ? await res.text() : "";
  return names.map((name) => {
    const literal = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const value = new RegExp(`^${literal}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1];
    return value === undefined ? undefined : Number(value);
  });
}
