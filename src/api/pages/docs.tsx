import { openapi } from "../openapi.js";
import { Layout } from "./layout.js";

/** A readable API reference rendered from the same OpenAPI object /openapi.json serves. */
export function DocsPage() {
  return (
    <Layout title="API reference">
      <h1>API reference</h1>
      <p>
        {openapi.info.description} Machine-readable: <a href="/openapi.json">/openapi.json</a>.
      </p>
      {Object.entries(openapi.paths).map(([path, item]) => (
        <div class="card">
          <h2 class="mono">GET {path}</h2>
          <p>{item.get.summary}</p>
          {item.get.parameters.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th>Parameter</th>
                  <th>In</th>
                  <th>Schema</th>
                </tr>
              </thead>
              <tbody>
                {item.get.parameters.map((p) => (
                  <tr>
                    <td class="mono">{p.name}</td>
                    <td>{p.in}</td>
                    <td class="mono">{JSON.stringify(p.schema)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p class="muted">
            Responses:{" "}
            {Object.entries(item.get.responses)
              .map(([code, r]) => `${code} ${r.description}`)
              .join("; ")}
          </p>
        </div>
      ))}
      <p>
        Errors are <code>{'{"error":{"code","message"}}'}</code> with status 400 (malformed input) or 404 (unknown).
      </p>
    </Layout>
  );
}
