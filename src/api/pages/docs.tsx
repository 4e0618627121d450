import { openapi } from "../openapi.js";
import { Layout } from "./layout.js";

/** One operation of the OpenAPI object, as much of it as this page shows. */
interface Operation {
  summary: string;
  parameters?: readonly { name: string; in: string; schema: unknown }[];
  requestBody?: unknown;
  responses: Record<string, { description: string }>;
}

/** A readable API reference rendered from the same OpenAPI object /openapi.json serves. */
export function DocsPage() {
  return (
    <Layout title="API reference">
      <h1>API reference</h1>
      <p>
        {openapi.info.description} Machine-readable: <a href="/openapi.json">/openapi.json</a>.
      </p>
      {Object.entries(openapi.paths).flatMap(([path, item]) =>
        Object.entries(item as Record<string, Operation>).map(([method, op]) => (
          <div class="card">
            <h2 class="mono">
              {method.toUpperCase()} {path}
            </h2>
            <p>{op.summary}</p>
            {(op.parameters?.length ?? 0) > 0 && (
              <table>
                <thead>
                  <tr>
                    <th>Parameter</th>
                    <th>In</th>
                    <th>Schema</th>
                  </tr>
                </thead>
                <tbody>
                  {op.parameters?.map((p) => (
                    <tr>
                      <td class="mono">{p.name}</td>
                      <td>{p.in}</td>
                      <td class="mono">{JSON.stringify(p.schema)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {op.requestBody && <p class="muted">Body: JSON; see /openapi.json for its schema.</p>}
            <p class="muted">
              Responses:{" "}
              {Object.entries(op.responses)
                .map(([code, r]) => `${code} ${r.description}`)
                .join("; ")}
            </p>
          </div>
        )),
      )}
      <p>
        Errors are <code>{'{"error":{"code","message"}}'}</code> with status 400 (malformed input), 401 (a signature
        that is not the owner's, or expired), 404 (unknown), 409 (a signed message used twice) or 503 (Redis or the RPC
        unreachable).
      </p>
    </Layout>
  );
}
