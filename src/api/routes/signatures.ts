import { Hono } from "hono";
import { addSignature, parseSignature, SignatureError } from "../calls.js";
import { badRequest, errorBody } from "../errors.js";
import { StoreUnavailable } from "../store.js";

/**
 * Teaches the explorer a function's name: `{"signature": "transfer(address,uint256)"}`. A signature proves
 * its own selector, so no key is asked for; one already known for the selector is kept (calls.ts).
 */
export const signatures = new Hono().post("/", async (c) => {
  const body = (await c.req.json().catch(() => undefined)) as { signature?: unknown } | undefined;
  if (typeof body?.signature !== "string" || body.signature.length > 1000) {
    throw badRequest("invalid_signature", 'send {"signature": "name(type,...)"} as JSON');
  }
  try {
    return c.json(await addSignature(parseSignature(body.signature)));
  } catch (error) {
    if (error instanceof SignatureError) throw badRequest("invalid_signature", error.message);
    if (error instanceof StoreUnavailable) return c.json(errorBody("unavailable", error.message), 503);
    throw error;
  }
});
