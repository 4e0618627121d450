import { Hono } from "hono";
import { badRequest } from "../errors.js";
import { listSubscriptions, subscribe, unsubscribe } from "../subscriptions.js";

/**
 * Owner subscriptions (subscriptions.ts): each request is an EIP-712 message signed by the workflow's
 * owner, as `npm run workflow -- subscribe | unsubscribe | subscriptions` sends it. Listing is a POST too:
 * it carries a signature, and URLs (which may hold a token) are shown only to their owner.
 */
const json = async (c: { req: { json(): Promise<unknown> } }) =>
  c.req.json().catch(() => {
    throw badRequest("invalid_request", "the body must be JSON (see /openapi.json)");
  });

export const subscriptions = new Hono()
  .post("/", async (c) => {
    const answer = await subscribe(await json(c));
    return c.json(answer, answer.created ? 201 : 200);
  })
  .post("/unsubscribe", async (c) => c.json(await unsubscribe(await json(c))))
  .post("/list", async (c) => c.json(await listSubscriptions(await json(c))));
