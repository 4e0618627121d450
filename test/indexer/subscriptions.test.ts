/**
 * Owner subscriptions at the API, against a real chain and a real Ponder running with its defaults (no
 * ALERT_ALLOW_LOOPBACK): the owner subscribes, lists and unsubscribes with the CLI, the way they would;
 * then every hostile request is refused with a 4xx JSON error and changes nothing: another key's
 * signature, a tampered message, one for another deployment, an expired or replayed one, URLs that are
 * not http(s) or point at this server's loopback or at link-local, a workflow that does not exist, a
 * malformed body, a sixth subscription. Addresses are IP literals (TEST-NET-3): no DNS is needed here.
 */
import { Redis } from "ioredis";
import { encodeFunctionData, getAddress, type Hex, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, expect, it } from "vitest";
import { counterAbi, counterBytecode } from "../../abis/index.js";
import { timeSpec } from "../../lib/spec.js";
import {
  newNonce,
  type Subscription,
  type SubscriptionRequest,
  subscriptionKeys,
  subscriptionTypedData,
} from "../../lib/subscriptions.js";
import { DEV_KEYS } from "../../tools/accounts.js";
import { type Chain, startChain } from "../../tools/harness/chain.js";
import { type Indexer, startIndexer } from "../../tools/harness/indexer.js";
import { CLI_TEST_TIMEOUT, runCli } from "../cli/cli.js";

let chain: Chain;
let ix: Indexer;
let redis: Redis;
let workflow: bigint;
const owner = privateKeyToAccount(DEV_KEYS.owner);
const stranger = privateKeyToAccount(DEV_KEYS.stranger);

beforeAll(async () => {
  chain = await startChain();
  const counter = await chain.deploy(counterAbi, counterBytecode);
  const inc = { target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) };
  // Never due while the test runs: only its subscriptions matter here.
  const far = (await chain.now()) + 86_400n;
  workflow = (await chain.register(timeSpec([inc], 3600n, { startTime: far }), parseEther("0.1"))).id;
  ix = await startIndexer(chain, "pglite");
  redis = new Redis("redis://127.0.0.1:6379");
});
afterAll(async () => {
  redis?.disconnect();
  await ix?.stop();
  await chain?.stop();
});

type Answer = { status: number; body: { error?: { code: string; message: string } } & Record<string, unknown> };

async function post(path: string, body: unknown): Promise<Answer> {
  const res = await fetch(`${ix.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body, (_, v) => (typeof v === "bigint" ? String(v) : v)),
  });
  return { status: res.status, body: (await res.json()) as Answer["body"] };
}

const now = () => BigInt(Math.floor(Date.now() / 1000));

/** A request as the CLI sends it, signed by `key` (over `domain`'s chain and registry unless told otherwise). */
async function signed(
  account: typeof owner,
  request: SubscriptionRequest,
  domain: { chainId?: number; registry?: `0x${string}` } = {},
) {
  const typed = subscriptionTypedData(
    domain.chainId ?? chain.deployment.chainId,
    domain.registry ?? chain.deployment.registry,
    request,
  );
  return { chainId: chain.deployment.chainId, message: request.message, signature: await account.signTypedData(typed) };
}

const subscribeMessage = (url: string, over: Partial<{ workflowId: bigint; deadline: bigint; nonce: Hex }> = {}) => ({
  primaryType: "Subscribe" as const,
  message: { workflowId: workflow, url, deadline: now() + 600n, nonce: newNonce(), ...over },
});

async function kept(): Promise<Subscription[]> {
  const all = await redis.hvals(subscriptionKeys.workflow(ix.queuePrefix, chain.deployment.chainId, workflow));
  return all.map((j) => JSON.parse(j) as Subscription);
}

const cli = (...args: string[]) => runCli(chain, { PONDER_URL: ix.url }, ...args);
const URL_A = "http://203.0.113.9:8080/hooks/a?token=kept-private";

it(
  "lets the owner subscribe, see and remove a URL with the CLI, the secret shown only to the subscriber",
  async () => {
    const first = await cli("subscribe", String(workflow), URL_A);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain(
      `workflow ${workflow}'s alerts on chain ${chain.deployment.chainId} now go to ${URL_A}`,
    );
    const secret = /signing secret: (whsec_[0-9a-f]{48})/.exec(first.out)?.[1];
    expect(secret).toBeDefined();
    // What the API kept: the owner as the chain says, the URL, the secret it printed.
    expect(await kept()).toEqual([
      expect.objectContaining({ owner: getAddress(owner.address), url: URL_A, secret, workflowId: String(workflow) }),
    ]);

    // Again: the same subscription, and the secret again (how an owner who lost it gets it back).
    const again = await cli("subscribe", String(workflow), URL_A);
    expect(again.out).toContain("already go to");
    expect(again.out).toContain(`signing secret: ${secret}`);
    expect(await kept()).toHaveLength(1);

    const listed = await cli("subscriptions");
    expect(listed.code, listed.out).toBe(0);
    expect(listed.out).toContain(`workflow ${workflow}  ${URL_A}`);
    expect(listed.out).not.toContain(secret);

    // Another key lists nothing of the owner's.
    const theirs = await runCli(chain, { PONDER_URL: ix.url, OWNER_PRIVATE_KEY: DEV_KEYS.stranger }, "subscriptions");
    expect(theirs.out).toContain(`${stranger.address} has no subscriptions`);

    const gone = await cli("unsubscribe", String(workflow), URL_A);
    expect(gone.code, gone.out).toBe(0);
    expect(await kept()).toEqual([]);
    expect((await cli("subscriptions")).out).toContain("has no subscriptions");
    // Nothing left to remove: the CLI says so and fails.
    const twice = await cli("unsubscribe", String(workflow), URL_A);
    expect(twice.code).not.toBe(0);
    expect(twice.out).toContain("has no subscription at that URL");

    // Bad arguments never reach the API.
    const ftp = await cli("subscribe", String(workflow), "ftp://203.0.113.9/x");
    expect(ftp.code).not.toBe(0);
    expect(ftp.out).toContain("url must be http(s)");
  },
  CLI_TEST_TIMEOUT,
);

it("refuses every hostile request with a 4xx JSON error and keeps nothing", async () => {
  const url = "http://203.0.113.9:8080/hooks/b";
  const refused = async (body: unknown, status: number, code: string, path = "/api/subscriptions") => {
    const answer = await post(path, body);
    expect([answer.status, answer.body.error?.code], JSON.stringify(answer.body)).toEqual([status, code]);
    expect(answer.body.error?.message).toEqual(expect.any(String));
  };

  // Not the owner's key.
  await refused(await signed(stranger, subscribeMessage(url)), 401, "bad_signature");
  // The owner's signature over other fields (a tampered URL), and a signature that is not one.
  const tampered = await signed(owner, subscribeMessage(url));
  await refused(
    { ...tampered, message: { ...tampered.message, url: "http://203.0.113.66/theirs" } },
    401,
    "bad_signature",
  );
  await refused({ ...tampered, signature: "0x1234" }, 401, "bad_signature");
  // Signed for another deployment (another registry) or another chain: worth nothing here.
  await refused(
    await signed(owner, subscribeMessage(url), { registry: chain.deployment.feeEscrow }),
    401,
    "bad_signature",
  );
  await refused(await signed(owner, subscribeMessage(url), { chainId: 1 }), 401, "bad_signature");
  // Expired, and a deadline too far ahead to remember its nonce for.
  await refused(await signed(owner, subscribeMessage(url, { deadline: now() - 5n })), 401, "expired");
  await refused(await signed(owner, subscribeMessage(url, { deadline: now() + 7200n })), 400, "invalid_deadline");
  // URLs that are not http(s), or reach this server's loopback (by name, literal or decimal form), link-local
  // (cloud metadata), "this host", or carry credentials.
  for (const bad of [
    "ftp://203.0.113.9/x",
    "file:///etc/passwd",
    "http://127.0.0.1:42069/api",
    "http://localhost:6379/",
    "http://api.localhost/",
    "http://[::1]:80/",
    "http://[::ffff:127.0.0.1]/",
    "http://2130706433/",
    "http://169.254.169.254/latest/meta-data",
    "http://0.0.0.0:80/",
    "http://user:pw@203.0.113.9/",
    "not a url",
    `http://203.0.113.9/${"a".repeat(2100)}`,
  ]) {
    await refused(await signed(owner, subscribeMessage(bad)), 400, "invalid_url");
  }
  // A workflow that does not exist.
  await refused(await signed(owner, subscribeMessage(url, { workflowId: 999n })), 404, "not_found");
  // Malformed bodies.
  await refused("{not json", 400, "invalid_request");
  await refused({ message: subscribeMessage(url).message }, 400, "invalid_request");
  await refused({ ...tampered, message: { ...tampered.message, extra: 1 } }, 400, "invalid_request");
  await refused({ ...tampered, chainId: 42 }, 400, "invalid_chain_id");
  expect(await kept()).toEqual([]);

  // A good message is taken once; the same bytes again are a replay.
  const good = await signed(owner, subscribeMessage(url));
  expect((await post("/api/subscriptions", good)).status).toBe(201);
  await refused(good, 409, "replayed");
  // The same for unsubscribe and list: a message is good once.
  const list = await signed(owner, {
    primaryType: "ListSubscriptions",
    message: { owner: owner.address, deadline: now() + 600n, nonce: newNonce() },
  });
  const listed = await post("/api/subscriptions/list", list);
  expect(listed.status).toBe(200);
  expect(listed.body.items).toEqual([expect.objectContaining({ url, workflowId: String(workflow) })]);
  expect(JSON.stringify(listed.body)).not.toContain("whsec_");
  await refused(list, 409, "replayed", "/api/subscriptions/list");
  // Listing someone else's: the signature must be the named owner's.
  const forged = await signed(stranger, {
    primaryType: "ListSubscriptions",
    message: { owner: owner.address, deadline: now() + 600n, nonce: newNonce() },
  });
  await refused(forged, 401, "bad_signature", "/api/subscriptions/list");
  // Unsubscribing needs the owner too.
  const theirs = await signed(stranger, { ...subscribeMessage(url), primaryType: "Unsubscribe" });
  await refused(theirs, 401, "bad_signature", "/api/subscriptions/unsubscribe");
  // A Subscribe signature is not an Unsubscribe one.
  await refused(await signed(owner, subscribeMessage(url)), 401, "bad_signature", "/api/subscriptions/unsubscribe");

  // At most five per workflow.
  for (let i = 2; i <= 5; i++) {
    expect((await post("/api/subscriptions", await signed(owner, subscribeMessage(`${url}/${i}`)))).status).toBe(201);
  }
  await refused(await signed(owner, subscribeMessage(`${url}/6`)), 409, "too_many");
  expect(await kept()).toHaveLength(5);

  // Once ownership moves on chain, the old owner's key no longer speaks for the workflow; the new one's does.
  await chain.manage(workflow, { transferTo: stranger.address });
  await refused(
    await signed(owner, { ...subscribeMessage(url), primaryType: "Unsubscribe" }),
    401,
    "bad_signature",
    "/api/subscriptions/unsubscribe",
  );
  const byNewOwner = await post(
    "/api/subscriptions/unsubscribe",
    await signed(stranger, { ...subscribeMessage(url), primaryType: "Unsubscribe" }),
  );
  expect(byNewOwner.status).toBe(200);
  expect(await kept()).toHaveLength(4);
});
