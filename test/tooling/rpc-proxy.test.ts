/**
 * The RPC fault proxy against a real anvil: every fault happens as specified, and a viem client behind
 * the proxy sees what it would see from a flaky public node. The assertions on viem's error classes
 * double as the record the executor's error classifier is written from, so they are exact on purpose.
 */
import {
  BaseError,
  BlockNotFoundError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  type Hex,
  HttpRequestError,
  type HttpTransportConfig,
  http,
  InvalidInputRpcError,
  keccak256,
  NonceTooLowError,
  type PublicClient,
  type TestClient,
  TimeoutError,
  TransactionExecutionError,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { anvil as anvilChain } from "viem/chains";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ANVIL_KEYS } from "../../tools/accounts.js";
import { type Anvil, startAnvil } from "../../tools/anvil.js";
import { freePort } from "../../tools/harness/ports.js";
import { type FaultProxy, startFaultProxy } from "../../tools/harness/rpc-proxy.js";
import { sleep, until } from "../../tools/harness/wait.js";

const SEED = 20_240_601;
/** Where the test transfers go: any address will do. */
const SINK = "0x000000000000000000000000000000000000dEaD";
/** Runtime code that returns NUMBER, the block number the call executes in. */
const RETURNS_NUMBER = "0x4360005260206000f3";
/** Runtime code that emits one empty LOG0 per call. */
const EMITS_LOG = "0x60006000a000";

let anvil: Anvil;
let proxy: FaultProxy;
let direct: PublicClient;
/** anvil's own controls, straight to anvil. */
let anvilControl: TestClient;

beforeAll(async () => {
  anvil = await startAnvil();
  proxy = await startFaultProxy(anvil.rpcUrl, { seed: SEED });
  direct = createPublicClient({ chain: anvilChain, transport: http(anvil.rpcUrl), cacheTime: 0 });
  anvilControl = createTestClient({ chain: anvilChain, mode: "anvil", transport: http(anvil.rpcUrl) });
});
afterAll(async () => {
  await proxy?.close();
  await anvil?.stop();
});
beforeEach(() => {
  proxy.clear();
  proxy.resetStats();
});

/** A client through the proxy. No retries unless asked, and no cache: getBlockNumber caches for 4 s otherwise. */
function client(config: HttpTransportConfig = {}, url = proxy.url): PublicClient {
  return createPublicClient({ chain: anvilChain, transport: http(url, { retryCount: 0, ...config }), cacheTime: 0 });
}

function wallet(key: Hex, url: string, config: HttpTransportConfig = {}) {
  return createWalletClient({
    account: privateKeyToAccount(key),
    chain: anvilChain,
    transport: http(url, { retryCount: 0, ...config }),
  });
}

/** A signed 1-wei transfer from `key` with the next nonce anvil expects. */
async function signedTransfer(key: Hex) {
  const account = privateKeyToAccount(key);
  const nonce = await direct.getTransactionCount({ address: account.address });
  const raw = await account.signTransaction({
    chainId: anvilChain.id,
    type: "eip1559",
    to: SINK,
    value: 1n,
    nonce,
    gas: 21_000n,
    maxFeePerGas: 100_000_000_000n,
    maxPriorityFeePerGas: 1_000_000_000n,
  });
  return { address: account.address, nonce, raw, hash: keccak256(raw) };
}

/** The transaction as anvil itself knows it (null: never seen). */
function onAnvil(hash: Hex): Promise<unknown> {
  return direct.request({ method: "eth_getTransactionByHash", params: [hash] });
}

async function post(body: unknown, url = proxy.url) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    retryAfter: res.headers.get("retry-after"),
    text: await res.text(),
  };
}

const call = (method: string, params: unknown[] = [], id = 1) => ({ jsonrpc: "2.0", id, method, params });

/** The error `promise` rejects with; fails the test if it resolves. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure, got an answer");
}

/** An error and its causes, outermost first. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && e !== null && chain.length < 10; e = (e as { cause?: unknown }).cause)
    chain.push(e);
  return chain;
}

const codes = (error: unknown) => causes(error).map((e) => (e as { code?: unknown }).code);

describe("no faults", () => {
  it("passes the node's answers through unchanged, and counts them", async () => {
    for (const body of [
      call("eth_chainId"),
      call("eth_noSuchMethod"),
      [call("eth_chainId", [], 1), call("eth_blockNumber", [], 2)],
    ])
      expect(await post(body)).toEqual(await post(body, anvil.rpcUrl));
    expect(await client().getBlockNumber()).toBe(await direct.getBlockNumber());

    // viem's batching sends one HTTP request with three calls in it.
    const batched = client({ batch: true });
    proxy.resetStats();
    const [chainId, balance, code] = await Promise.all([
      batched.getChainId(),
      batched.getBalance({ address: SINK }),
      batched.getCode({ address: SINK }),
    ]);
    expect(chainId).toBe(anvilChain.id);
    expect(balance).toBe(await direct.getBalance({ address: SINK }));
    expect(code).toBeUndefined();
    expect(proxy.stats()).toEqual({
      requests: 1,
      byMethod: { eth_chainId: 1, eth_getBalance: 1, eth_getCode: 1 },
      injected: {},
    });
  });

  it("answers 502 when the node behind it is down, and keeps serving", async () => {
    const orphan = await startFaultProxy(`http://127.0.0.1:${await freePort()}`);
    try {
      const answer = await post(call("eth_chainId"), orphan.url);
      expect(answer.status).toBe(502);
      const error = await failure(client({}, orphan.url).getChainId());
      expect(error).toBeInstanceOf(HttpRequestError);
      expect((error as HttpRequestError).status).toBe(502);
      expect((await post(call("eth_chainId"), orphan.url)).status).toBe(502);
    } finally {
      await orphan.close();
    }
  });
});

describe("generic faults", () => {
  it("adds latencyMs plus jitter before forwarding", async () => {
    proxy.set({ latencyMs: 400, jitterMs: 100 });
    const started = Date.now();
    expect(await client().getChainId()).toBe(anvilChain.id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(proxy.stats().injected).toEqual({ latency: 1 });
  });

  it("answers a 429 burst of burstLength with Retry-After: 1, then the node again", async () => {
    proxy.set({ errorRate: 1, errorStatuses: [429], burstLength: 3 });
    const first = await post(call("eth_chainId"));
    expect(first).toMatchObject({ status: 429, retryAfter: "1" });
    // A burst under way runs to its end even though the faults changed.
    proxy.set({});
    expect((await post(call("eth_chainId"))).status).toBe(429);
    expect((await post(call("eth_chainId"))).status).toBe(429);
    expect(await post(call("eth_chainId"))).toEqual(await post(call("eth_chainId"), anvil.rpcUrl));
    expect(proxy.stats().injected).toEqual({ error429: 3 });

    // viem: HttpRequestError with status 429, and by default it retries, waiting out Retry-After.
    proxy.set({ errorRate: 1, errorStatuses: [429], burstLength: 3 });
    const error = await failure(client().getChainId());
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error).toMatchObject({ status: 429, shortMessage: "HTTP request failed." });
    proxy.set({});
    const started = Date.now();
    expect(await client({ retryCount: 3 }).getChainId()).toBe(anvilChain.id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 1000);
    expect(proxy.stats().injected).toEqual({ error429: 6 });
  });

  it("picks 5xx statuses from errorStatuses; viem sees HttpRequestError with the status", async () => {
    proxy.set({ errorRate: 1, errorStatuses: [502, 503] });
    const statuses = new Set<number>();
    for (let i = 0; i < 20; i++) statuses.add((await post(call("eth_chainId"))).status);
    expect([...statuses].sort()).toEqual([502, 503]);
    const error = await failure(client().getChainId());
    expect(error).toBeInstanceOf(HttpRequestError);
    expect([502, 503]).toContain((error as HttpRequestError).status);
    const { injected } = proxy.stats();
    expect((injected.error502 ?? 0) + (injected.error503 ?? 0)).toBe(21);
  });

  it("applies the generic faults only to the listed methods", async () => {
    proxy.set({ errorRate: 1, errorStatuses: [503], methods: ["eth_getBalance"] });
    const c = client();
    expect(await c.getChainId()).toBe(anvilChain.id);
    expect(await failure(c.getBalance({ address: SINK }))).toMatchObject({ status: 503 });
    // A batch is one HTTP request: one listed method in it fails all of it.
    expect((await post([call("eth_chainId", [], 1), call("eth_getBalance", [SINK, "latest"], 2)])).status).toBe(503);
    expect((await post([call("eth_chainId", [], 1), call("eth_blockNumber", [], 2)])).status).toBe(200);
    expect(proxy.stats().injected).toEqual({ error503: 2 });
  });

  it("resets the connection before forwarding (chain untouched) and after (executed, answer lost)", async () => {
    // A proxy of its own, so its resets alternate from the first: before, after, before, ...
    const resetting = await startFaultProxy(anvil.rpcUrl, { seed: SEED });
    try {
      resetting.set({ resetRate: 1, methods: ["eth_sendRawTransaction"] });
      const tx = await signedTransfer(ANVIL_KEYS[5]);
      const sender = wallet(ANVIL_KEYS[5], resetting.url);
      const resetError = async () => {
        const error = await failure(sender.sendRawTransaction({ serializedTransaction: tx.raw }));
        expect(error).toBeInstanceOf(HttpRequestError);
        expect((error as HttpRequestError).status).toBeUndefined();
        expect(codes(error)).toContain("ECONNRESET");
      };

      await resetError();
      expect(resetting.stats().injected).toEqual({ resetBefore: 1 });
      expect(await onAnvil(tx.hash)).toBeNull();
      expect(await direct.getTransactionCount({ address: tx.address })).toBe(tx.nonce);

      await resetError();
      expect(resetting.stats().injected).toEqual({ resetBefore: 1, resetAfter: 1 });
      expect((await direct.waitForTransactionReceipt({ hash: tx.hash, timeout: 10_000 })).status).toBe("success");
      resetting.clear();
      expect(await client({}, resetting.url).getChainId()).toBe(anvilChain.id); // resets do not break the proxy
    } finally {
      await resetting.close();
    }

    // Reads are retried by viem (3 times by default): four resets, then the error.
    proxy.set({ resetRate: 1 });
    proxy.resetStats();
    expect(codes(await failure(client({ retryCount: 3 }).getChainId()))).toContain("ECONNRESET");
    const { injected } = proxy.stats();
    expect((injected.resetBefore ?? 0) + (injected.resetAfter ?? 0)).toBe(4);
  });

  it("hangs until the client gives up: viem throws TimeoutError", async () => {
    proxy.set({ hangRate: 1 });
    const started = Date.now();
    const error = await failure(client({ timeout: 500 }).getChainId());
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ shortMessage: "The request took too long to respond." });
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(proxy.stats().injected).toEqual({ hang: 1 });
    proxy.clear();
    expect(await client().getChainId()).toBe(anvilChain.id);
  });

  it("answers 200 with broken bodies: truncated JSON, an HTML page, neither result nor error", async () => {
    proxy.set({ malformedRate: 1 });
    const kinds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await post(call("eth_blockNumber", [], 7));
      expect(answer.status).toBe(200);
      if (answer.type.startsWith("text/html")) kinds.push("html");
      else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(answer.text);
        } catch {
          kinds.push("truncated");
          continue;
        }
        expect(parsed).toEqual({ jsonrpc: "2.0", id: 7 });
        kinds.push("empty");
      }
    }
    expect([...kinds].sort()).toEqual(["empty", "html", "truncated"]);

    // The rotation goes on in the same order. Unparsable bodies are HttpRequestErrors (which viem
    // retries); an answer without a result is undefined to viem, and getBlockNumber dies on BigInt().
    const c = client();
    for (const kind of kinds) {
      const error = await failure(c.getBlockNumber());
      if (kind === "empty") {
        expect(error).toBeInstanceOf(TypeError);
        expect(error).not.toBeInstanceOf(BaseError);
      } else {
        expect(error).toBeInstanceOf(HttpRequestError);
        expect((error as HttpRequestError).status).toBeUndefined();
        expect((error as HttpRequestError).cause).toBeInstanceOf(SyntaxError);
      }
    }
    expect(proxy.stats().injected).toEqual({ malformed: 6 });
  });
});

describe("stale head", () => {
  it("freezes the head: blockNumber, latest state, blocks, receipts and logs stop at it; clear() shows the real head", async () => {
    const emitter = privateKeyToAccount(ANVIL_KEYS[9]).address; // any address: anvil_setCode gives it code
    await anvilControl.setCode({ address: emitter, bytecode: EMITS_LOG });
    const miner = wallet(ANVIL_KEYS[6], anvil.rpcUrl);
    const minedBefore = await direct.waitForTransactionReceipt({ hash: await miner.sendTransaction({ to: emitter }) });

    proxy.set({ staleHead: { mode: "freeze" } });
    const c = client();
    const frozen = await c.getBlockNumber();
    expect(frozen).toBe(minedBefore.blockNumber);
    const nonce = await direct.getTransactionCount({ address: miner.account.address });
    const balance = await direct.getBalance({ address: miner.account.address });

    const after = await direct.waitForTransactionReceipt({ hash: await miner.sendTransaction({ to: emitter }) });
    expect(after.blockNumber).toBe(frozen + 1n);

    expect(await c.getBlockNumber()).toBe(frozen);
    expect((await c.getBlock()).number).toBe(frozen);
    expect((await c.getBlock({ blockTag: "pending" })).number).toBe(frozen);
    expect(await c.getTransactionCount({ address: miner.account.address })).toBe(nonce);
    expect(await direct.getTransactionCount({ address: miner.account.address })).toBe(nonce + 1);
    expect(await c.getBalance({ address: miner.account.address })).toBe(balance);
    expect(await failure(c.getTransactionReceipt({ hash: after.transactionHash }))).toBeInstanceOf(
      TransactionReceiptNotFoundError,
    );
    expect(await failure(c.getTransaction({ hash: after.transactionHash }))).toBeInstanceOf(TransactionNotFoundError);
    expect(await failure(c.getBlock({ blockNumber: frozen + 1n }))).toBeInstanceOf(BlockNotFoundError);
    expect(await failure(c.getBlock({ blockHash: after.blockHash }))).toBeInstanceOf(BlockNotFoundError);
    // Below the visible head nothing changes.
    expect((await c.getTransactionReceipt({ hash: minedBefore.transactionHash })).blockNumber).toBe(frozen);

    // eth_call runs at the frozen block, and its state and block overrides (3rd and 4th params) survive.
    const probe = privateKeyToAccount(ANVIL_KEYS[8]).address;
    const number = async (cl: PublicClient, blockOverrides?: { number: bigint }) => {
      const { data } = await cl.call({
        to: probe,
        stateOverride: [{ address: probe, code: RETURNS_NUMBER }],
        ...(blockOverrides ? { blockOverrides } : {}),
      });
      return BigInt(data ?? "0x");
    };
    expect(await number(c)).toBe(frozen);
    expect(await number(direct)).toBe(frozen + 1n);
    expect(await number(c, { number: 12_345n })).toBe(12_345n);
    expect(await c.estimateGas({ account: miner.account.address, to: SINK, value: 1n })).toBe(21_000n);

    const logs = await c.getLogs({ address: emitter, fromBlock: 0n });
    expect(logs.map((l) => l.transactionHash)).toEqual([minedBefore.transactionHash]);
    expect(await direct.getLogs({ address: emitter, fromBlock: 0n })).toHaveLength(2);
    expect(await c.getLogs({ address: emitter, fromBlock: 0n, toBlock: frozen + 5n })).toHaveLength(1);
    expect(await c.getLogs({ address: emitter, fromBlock: frozen + 1n, toBlock: frozen + 1n })).toEqual([]);
    expect(await c.getLogs({ address: emitter, blockHash: after.blockHash })).toEqual([]);
    expect(await c.getLogs({ address: emitter, blockHash: minedBefore.blockHash })).toHaveLength(1);
    const fees = await c.getFeeHistory({ blockCount: 1, rewardPercentiles: [] });
    expect(fees.oldestBlock).toBe(frozen);
    expect(proxy.stats().injected.stale).toBeGreaterThanOrEqual(15);

    proxy.clear();
    expect(await c.getBlockNumber()).toBe(frozen + 1n);
    expect((await c.getTransactionReceipt({ hash: after.transactionHash })).status).toBe("success");
    expect(await c.getLogs({ address: emitter, fromBlock: 0n })).toHaveLength(2);
  });

  it("lags the real head by `blocks`, following it as it moves", async () => {
    await anvilControl.mine({ blocks: 3 });
    proxy.set({ staleHead: { mode: "lag", blocks: 2 } });
    const c = client();
    const real = await direct.getBlockNumber();
    expect(await c.getBlockNumber()).toBe(real - 2n);
    expect((await c.getBlock()).number).toBe(real - 2n);
    await anvilControl.mine({ blocks: 1 });
    await until("the lagging head to move on", async () => (await c.getBlockNumber()) === real - 1n, 5_000);
    expect(await failure(c.getBlock({ blockNumber: real }))).toBeInstanceOf(BlockNotFoundError);
  });

  it("rewrites a batch element by element", async () => {
    const { address } = privateKeyToAccount(ANVIL_KEYS[6]);
    proxy.set({ staleHead: { mode: "freeze" } });
    const frozen = await client().getBlockNumber();
    const nonce = await direct.getTransactionCount({ address });
    await wallet(ANVIL_KEYS[6], anvil.rpcUrl).sendTransaction({ to: SINK });
    await until("anvil to mine", async () => (await direct.getBlockNumber()) > frozen, 5_000);

    const answer = await post([
      call("eth_blockNumber", [], 1),
      call("eth_chainId", [], 2),
      call("eth_getTransactionCount", [address, "latest"], 3),
      call("eth_getBlockByNumber", [`0x${(frozen + 1n).toString(16)}`, false], 4),
    ]);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual([
      { jsonrpc: "2.0", id: 1, result: `0x${frozen.toString(16)}` },
      { jsonrpc: "2.0", id: 2, result: `0x${anvilChain.id.toString(16)}` },
      { jsonrpc: "2.0", id: 3, result: `0x${nonce.toString(16)}` },
      { jsonrpc: "2.0", id: 4, result: null },
    ]);

    // And viem's own batches come back whole and in order.
    const batched = client({ batch: true });
    proxy.resetStats();
    const [head, count, chainId] = await Promise.all([
      batched.getBlockNumber(),
      batched.getTransactionCount({ address }),
      batched.getChainId(),
    ]);
    expect([head, count, chainId]).toEqual([frozen, nonce, anvilChain.id]);
    expect(proxy.stats().requests).toBe(1);
  });
});

describe("transaction faults", () => {
  it("drops a transaction: the right hash comes back, anvil never sees it", async () => {
    proxy.set({ dropTxRate: 1 });
    const tx = await signedTransfer(ANVIL_KEYS[7]);
    expect(await wallet(ANVIL_KEYS[7], proxy.url).sendRawTransaction({ serializedTransaction: tx.raw })).toBe(tx.hash);
    expect(await onAnvil(tx.hash)).toBeNull();
    expect(await direct.getTransactionCount({ address: tx.address })).toBe(tx.nonce);
    // The wallet path succeeds just the same.
    await wallet(ANVIL_KEYS[7], proxy.url).sendTransaction({ to: SINK, value: 1n });
    expect(await direct.getTransactionCount({ address: tx.address })).toBe(tx.nonce);
    expect(proxy.stats().injected).toEqual({ dropTx: 2 });
  });

  it("answers nonce too low only once the transaction is mined", async () => {
    proxy.set({ nonceTooLowAfterMineRate: 1 });
    const tx = await signedTransfer(ANVIL_KEYS[7]);
    // Without automine the proxy has to wait for the block we mine by hand.
    await anvilControl.setAutomine(false);
    let settled = false;
    let error: unknown;
    try {
      const sending = failure(wallet(ANVIL_KEYS[7], proxy.url).sendRawTransaction({ serializedTransaction: tx.raw }));
      const done = () => {
        settled = true;
      };
      sending.then(done, done);
      await until("anvil to hold the transaction", async () => (await onAnvil(tx.hash)) !== null, 5_000);
      await sleep(300);
      expect(settled).toBe(false);
      await anvilControl.mine({ blocks: 1 });
      error = await sending;
    } finally {
      await anvilControl.setAutomine(true);
    }
    // Raw sends are not wrapped: InvalidInputRpcError (-32000) with the node's message as details.
    expect(error).toBeInstanceOf(InvalidInputRpcError);
    expect(error).toMatchObject({ code: -32000, details: "nonce too low" });
    expect((await direct.getTransactionReceipt({ hash: tx.hash })).status).toBe("success");

    // sendTransaction wraps it: TransactionExecutionError caused by NonceTooLowError. Mined all the same.
    const sent = await failure(wallet(ANVIL_KEYS[7], proxy.url).sendTransaction({ to: SINK, value: 1n }));
    expect(sent).toBeInstanceOf(TransactionExecutionError);
    expect((sent as BaseError).walk((e) => e instanceof NonceTooLowError)).toBeInstanceOf(NonceTooLowError);
    expect(await direct.getTransactionCount({ address: tx.address })).toBe(tx.nonce + 2);
    expect(proxy.stats().injected).toEqual({ nonceTooLow: 2 });
  });

  it("answers already known after forwarding: the transaction is in anvil", async () => {
    proxy.set({ alreadyKnownRate: 1 });
    const tx = await signedTransfer(ANVIL_KEYS[7]);
    const error = await failure(wallet(ANVIL_KEYS[7], proxy.url).sendRawTransaction({ serializedTransaction: tx.raw }));
    expect(error).toBeInstanceOf(InvalidInputRpcError);
    expect(error).toMatchObject({ code: -32000, details: "already known" });
    expect(await onAnvil(tx.hash)).not.toBeNull();
    // viem files "already known" under NonceTooLowError too, though the transaction went through.
    const sent = await failure(wallet(ANVIL_KEYS[7], proxy.url).sendTransaction({ to: SINK, value: 1n }));
    expect((sent as BaseError).walk((e) => e instanceof NonceTooLowError)).toBeInstanceOf(NonceTooLowError);
    expect(await direct.getTransactionCount({ address: tx.address })).toBe(tx.nonce + 2);
    expect(proxy.stats().injected).toEqual({ alreadyKnown: 2 });
  });

  it("answers replacement transaction underpriced without forwarding", async () => {
    proxy.set({ underpricedRate: 1 });
    const tx = await signedTransfer(ANVIL_KEYS[7]);
    const error = await failure(wallet(ANVIL_KEYS[7], proxy.url).sendRawTransaction({ serializedTransaction: tx.raw }));
    expect(error).toBeInstanceOf(InvalidInputRpcError);
    expect(error).toMatchObject({ code: -32000, details: "replacement transaction underpriced" });
    expect(await onAnvil(tx.hash)).toBeNull();
    // No node error class for it: sendTransaction's cause is the InvalidInputRpcError itself.
    const sent = await failure(wallet(ANVIL_KEYS[7], proxy.url).sendTransaction({ to: SINK, value: 1n }));
    expect(sent).toBeInstanceOf(TransactionExecutionError);
    expect((sent as TransactionExecutionError).cause).toBeInstanceOf(InvalidInputRpcError);
    expect(await direct.getTransactionCount({ address: tx.address })).toBe(tx.nonce);
    expect(proxy.stats().injected).toEqual({ underpriced: 2 });
  });

  it("handles eth_sendRawTransaction elements of a batch one by one", async () => {
    proxy.set({ underpricedRate: 1 });
    const tx = await signedTransfer(ANVIL_KEYS[7]);
    const answer = await post([call("eth_sendRawTransaction", [tx.raw], 1), call("eth_chainId", [], 2)]);
    expect(JSON.parse(answer.text)).toEqual([
      { jsonrpc: "2.0", id: 1, error: { code: -32000, message: "replacement transaction underpriced" } },
      { jsonrpc: "2.0", id: 2, result: `0x${anvilChain.id.toString(16)}` },
    ]);
    expect(await onAnvil(tx.hash)).toBeNull();
  });
});

describe("endpoint down", () => {
  it('down("refuse") refuses connections, up() brings it back on the same port', async () => {
    const c = client();
    expect(await c.getChainId()).toBe(anvilChain.id);
    await proxy.down("refuse");
    // Let the client notice its pooled connection was closed; a request racing that sees
    // UND_ERR_SOCKET "other side closed" instead.
    await sleep(200);
    const error = await failure(c.getChainId());
    expect(error).toBeInstanceOf(HttpRequestError);
    expect((error as HttpRequestError).status).toBeUndefined();
    expect(codes(error)).toContain("ECONNREFUSED");
    await proxy.up();
    expect(await c.getChainId()).toBe(anvilChain.id);
  });

  it('down("hang") accepts and never answers: viem times out; up() answers again', async () => {
    await proxy.down("hang");
    expect(await failure(client({ timeout: 500 }).getChainId())).toBeInstanceOf(TimeoutError);
    const held = failure(post(call("eth_chainId")));
    await sleep(500); // time for it to arrive: a held request leaves no trace to wait for
    await proxy.up();
    // up() cuts off what the dead endpoint was holding, as a restarted node would.
    expect(await Promise.race([held, sleep(5_000).then(() => "still held")])).toBeInstanceOf(TypeError);
    expect(await client().getChainId()).toBe(anvilChain.id);
  });

  it("close() with hung requests resolves within a second and cuts them off", async () => {
    const doomed = await startFaultProxy(anvil.rpcUrl);
    doomed.set({ hangRate: 1 });
    const hung = [post(call("eth_chainId"), doomed.url), post(call("eth_chainId"), doomed.url)];
    await until("two hung requests", async () => doomed.stats().injected.hang === 2, 5_000);
    await doomed.down("hang");
    hung.push(post(call("eth_chainId"), doomed.url));
    await sleep(100);
    const started = Date.now();
    await Promise.race([doomed.close(), sleep(5_000)]);
    expect(Date.now() - started).toBeLessThan(1_000);
    const settled = await Promise.allSettled(hung);
    expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected", "rejected"]);
  });
});

it("replays the same faults from the same seed", async () => {
  const statuses = async (seed: number) => {
    const replay = await startFaultProxy(anvil.rpcUrl, { seed });
    try {
      replay.set({ errorRate: 0.5, errorStatuses: [503] });
      const seen: number[] = [];
      for (let i = 0; i < 16; i++) seen.push((await post(call("eth_chainId"), replay.url)).status);
      return seen;
    } finally {
      await replay.close();
    }
  };
  const first = await statuses(SEED);
  expect(new Set(first)).toEqual(new Set([200, 503]));
  expect(await statuses(SEED)).toEqual(first);
});
