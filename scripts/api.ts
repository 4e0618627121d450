/**
 * The CLI's requests to the Autokeeper API at PONDER_URL: the JSON answer, or the API's own error message
 * (or a line saying it does not answer) as the error.
 */
async function answer<T>(base: string, path: string, res: Response | undefined): Promise<T> {
  if (!res) throw new Error(`the API at ${base} does not answer (is Ponder running? set PONDER_URL)`);
  const body = (await res.json().catch(() => ({}))) as T & { error?: { message: string } };
  if (!res.ok) throw new Error(body.error?.message ?? `${path}: HTTP ${res.status}`);
  return body;
}

export async function apiGet<T>(base: string, path: string): Promise<T> {
  return answer<T>(base, path, await fetch(`${base}${path}`).catch(() => undefined));
}

export async function apiPost<T>(base: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body, (_, v) => (typeof v === "bigint" ? v.toString() : v)),
  }).catch(() => undefined);
  return answer<T>(base, path, res);
}
