/**
 * The HTTP side of the Ponder app: REST under /api, Ponder's GraphQL and SQL, the OpenAPI document
 * and the explorer pages. Each resource is its own small router; this file only mounts them.
 */
import { db } from "ponder:api";
import schema from "ponder:schema";
import { Hono } from "hono";
import { client, graphql } from "ponder";
import { errorBody, onApiError } from "./errors.js";
import { explorer } from "./explorer.js";
import { openapi } from "./openapi.js";
import { activity } from "./routes/activity.js";
import { address } from "./routes/address.js";
import { attention } from "./routes/attention.js";
import { chains } from "./routes/chains.js";
import { due } from "./routes/due.js";
import { signatures } from "./routes/signatures.js";
import { statsRoute } from "./routes/stats.js";
import { subscriptions } from "./routes/subscriptions.js";
import { tx } from "./routes/tx.js";
import { workflows } from "./routes/workflows.js";

const api = new Hono()
  .route("/workflows", workflows)
  .route("/tx", tx)
  .route("/address", address)
  .route("/stats", statsRoute)
  .route("/due", due)
  .route("/chains", chains)
  .route("/attention", attention)
  .route("/activity", activity)
  .route("/signatures", signatures)
  .route("/subscriptions", subscriptions)
  // A mounted router's notFound is never consulted, so unknown /api paths need a catch-all route.
  .all("*", (c) => c.json(errorBody("not_found", `no route ${c.req.method} ${c.req.path}`), 404))
  .onError(onApiError);

const app = new Hono()
  .use("/sql/*", client({ db, schema }))
  .use("/graphql", graphql({ db, schema }))
  .route("/api", api)
  .get("/openapi.json", (c) => c.json(openapi))
  .route("/", explorer);

export default app;
