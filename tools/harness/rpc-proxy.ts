/**
 * A JSON-RPC fault proxy for the chaos tests. It sits between real clients (the executor's viem, a
 * Ponder indexer) and a real anvil, passes everything through untouched until told otherwise, and then
 * misbehaves the way flaky public RPC endpoints do: slow answers, 429/5xx bursts, reset connections,
 * requests that never answer, broken bodies, a node lagging behind the chain, and transactions that are
 * lost or answered with misleading errors. Faults are switched on and off while the clients keep running.
 *
 * Random choices come from a seeded PRNG, so a failing run can be replayed with the same seed (the
 * order of concurrent requests still depends on the clients, but a sequential run is exact).
 *
 * Generic faults (latency, HTTP errors, resets, hangs, malformed bodies) act on whole HTTP requests, a
 * JSON-RPC batch included. Stale-head rewriting and the transaction faults act on each batch element.
 * When neither kind is active a request costs one JSON.parse (for the stats) and a keep-alive forward.
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
  STATUS_CODES,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type Hex, isHex, keccak256, numberToHex } from "viem";
import { sleep } from "./wait.js";

/**
 * A lagging node: its head stays where it was when the fault was set, or `blocks` behind the real one
 * (re-read at most every 200 ms). Above that visible head nothing exists: eth_blockNumber answers it,
 * "latest"/"pending" (or an omitted tag) in blocks, state reads, eth_feeHistory and eth_getLogs become
 * its number, blocks / transactions / receipts / logs above it are null or [], "safe"/"finalized" are
 * capped at it, and a state read at an explicit number above it gets geth's "header not found".
 */
export type StaleHead = { mode: "freeze" } | { mode: "lag"; blocks: number };

export interface Faults {
  /** Added before forwarding, every request. */
  latencyMs?: number;
  /** Plus a uniform random 0..jitterMs. */
  jitterMs?: number;
  /** 0..1: probability that a request starts an HTTP error burst (plain-text body; nothing is forwarded). */
  errorRate?: number;
  /** Statuses a burst picks from (default 429, 502, 503). 429 answers carry `Retry-After: 1`. */
  errorStatuses?: number[];
  /** Once a burst starts, this many consecutive requests get its status (default 1). */
  burstLength?: number;
  /** The connection is reset (TCP RST): alternately before forwarding and after (executed, answer lost). */
  resetRate?: number;
  /** No answer ever, nothing forwarded: the socket stays open until the client gives up or the proxy closes. */
  hangRate?: number;
  /** 200 with a broken body (nothing forwarded), in turn: truncated JSON, an HTML page, neither result nor error. */
  malformedRate?: number;
  staleHead?: StaleHead;
  /** eth_sendRawTransaction answers the hash and is never forwarded: the transaction vanishes. */
  dropTxRate?: number;
  /** eth_sendRawTransaction is forwarded, then answered "nonce too low" once mined (or after 10 s). */
  nonceTooLowAfterMineRate?: number;
  /** eth_sendRawTransaction is forwarded, then answered "already known". */
  alreadyKnownRate?: number;
  /** eth_sendRawTransaction is not forwarded and answered "replacement transaction underpriced". */
  underpricedRate?: number;
  /** If set, the generic faults apply only to HTTP requests carrying one of these methods. */
  methods?: string[];
}

export interface ProxyStats {
  /** HTTP requests served (a batch is one); those swallowed by `down()` are not counted. */
  requests: number;
  /** JSON-RPC calls by method (each batch element counts). */
  byMethod: Record<string, number>;
  /** Injected faults: latency, error429 (error<status>), resetBefore, resetAfter, hang, malformed, stale, dropTx, nonceTooLow, alreadyKnown, underpriced. */
  injected: Record<string, number>;
}

export interface FaultProxy {
  url: string;
  port: number;
  /** The PRNG seed: pass it back as `options.seed` to replay a run. */
  seed: number;
  /**
   * Replaces the active faults for new requests. An error burst under way runs to its end (a rate
   * limiter does not forgive a client because the limits changed); `clear()` ends it. A `freeze` reads
   * the real head now, and the first stale request waits for that read: a test should make one request
   * through the proxy before it moves the chain on, or the freeze may land on the moved head.
   */
  set(faults: Faults): void;
  /** No faults at all, and no burst under way. */
  clear(): void;
  stats(): ProxyStats;
  resetStats(): void;
  /** The endpoint dies: "refuse" closes the listener and open sockets, "hang" accepts and never answers. */
  down(mode: "refuse" | "hang"): Promise<void>;
  /** Back on the same port; requests held by `down("hang")` are cut off. */
  up(): Promise<void>;
  close(): Promise<void>;
}

interface RpcCall {
  jsonrpc?: string;
  id?: unknown;
  method: string;
  params?: unknown[];
}

interface RpcAnswer {
  jsonrpc: "2.0";
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Calls {
  list: RpcCall[];
  batch: boolean;
}

interface HeadSource {
  visible(): Promise<bigint>;
}

const DEFAULT_ERROR_STATUSES = [429, 502, 503];
/** How long a lagging head is reused before the real head is read again. */
const LAG_REFRESH_MS = 200;
const MINED_WAIT_MS = 10_000;
/** A safety net: anvil answers in milliseconds, but a stuck upstream must not pin a request forever. */
const UPSTREAM_TIMEOUT_MS = 30_000;

/** The positional block parameter of the state-reading methods; omitted means "latest". */
const BLOCK_PARAM: Record<string, number> = {
  eth_call: 1,
  eth_getBalance: 1,
  eth_getTransactionCount: 1,
  eth_getCode: 1,
  eth_getStorageAt: 2,
  eth_estimateGas: 1,
  eth_createAccessList: 1,
  eth_getProof: 2,
};

/** Response headers that describe one hop's connection, not the answer. */
const HOP_HEADERS = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "te",
  "trailer",
  "upgrade",
  "proxy-authenticate",
]);

/** mulberry32: tiny, fast and good enough to pick faults; the point is that it is seeded. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCall(value: unknown): value is RpcCall {
  return (
    isRecord(value) && typeof value.method === "string" && (value.params === undefined || Array.isArray(value.params))
  );
}

/** The calls in a request body, or undefined for anything that is not JSON-RPC (forwarded as it is). */
function parseCalls(body: Buffer): Calls | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
  if (Array.isArray(json)) return json.length > 0 && json.every(isCall) ? { list: json, batch: true } : undefined;
  return isCall(json) ? { list: [json], batch: false } : undefined;
}

const isLatest = (tag: unknown) => tag === undefined || tag === null || tag === "latest" || tag === "pending";

/** A block number field of an RPC object (block, receipt, transaction, log), if it has one. */
function blockNumberOf(value: unknown, field: string): bigint | undefined {
  if (!isRecord(value)) return undefined;
  const n = value[field];
  return typeof n === "string" && isHex(n) && n.length > 2 ? BigInt(n) : undefined;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function emptyStats(): ProxyStats {
  return { requests: 0, byMethod: {}, injected: {} };
}

export async function startFaultProxy(
  upstreamUrl: string,
  options: { port?: number; seed?: number } = {},
): Promise<FaultProxy> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  const rand = mulberry32(seed);
  const target = new URL(upstreamUrl);
  const agent = new Agent({ keepAlive: true });

  let faults: Faults = {};
  let head: HeadSource | undefined;
  let stats = emptyStats();
  let burst = { left: 0, status: 0 };
  let resets = 0;
  let malformed = 0;
  let downMode: "refuse" | "hang" | undefined;
  let closed = false;
  const sockets = new Set<Socket>();
  /** Requests swallowed by `down("hang")`, cut off by `up()`. */
  const heldByDown = new Set<Socket>();

  const count = (fault: string) => {
    stats.injected[fault] = (stats.injected[fault] ?? 0) + 1;
  };

  // ------------------------------------------------------------------------------------ upstream

  function upstream(body: Buffer | string, retried = false): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        target,
        {
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on("error", reject);
        },
      );
      req.setTimeout(UPSTREAM_TIMEOUT_MS, () => req.destroy(new Error("upstream timed out")));
      req.on("error", (error: NodeJS.ErrnoException) => {
        // A pooled connection the server closed while idle: nothing reached it, so one retry is safe.
        if (!retried && req.reusedSocket && error.code === "ECONNRESET") upstream(body, true).then(resolve, reject);
        else reject(error);
      });
      req.end(body);
    });
  }

  async function forward(call: RpcCall): Promise<RpcAnswer> {
    const answer = await upstream(JSON.stringify(call));
    const text = answer.body.toString("utf8");
    if (answer.status !== 200) throw new Error(`upstream answered ${answer.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as RpcAnswer;
  }

  async function upstreamResult(method: string, params: unknown[]): Promise<unknown> {
    const answer = await forward({ jsonrpc: "2.0", id: 1, method, params });
    if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
    return answer.result;
  }

  async function realHead(): Promise<bigint> {
    return BigInt((await upstreamResult("eth_blockNumber", [])) as string);
  }

  // ---------------------------------------------------------------------------------- stale head

  function freezeHead(): HeadSource {
    let frozen: Promise<bigint> | undefined;
    const read = () => {
      const p = realHead();
      // A failed read (anvil down) is retried by the next request rather than frozen in.
      p.catch(() => {
        if (frozen === p) frozen = undefined;
      });
      return p;
    };
    frozen = read();
    return {
      visible: () => {
        frozen ??= read();
        return frozen;
      },
    };
  }

  function lagHead(blocks: number): HeadSource {
    let cached: { at: number; value: Promise<bigint> } | undefined;
    return {
      visible: () => {
        if (!cached || Date.now() - cached.at > LAG_REFRESH_MS) {
          const value = realHead().then((h) => (h > BigInt(blocks) ? h - BigInt(blocks) : 0n));
          value.catch(() => {});
          cached = { at: Date.now(), value };
        }
        return cached.value;
      },
    };
  }

  /** What a node whose head is `visible` would answer to `call`. */
  async function staleAnswer(call: RpcCall, source: HeadSource): Promise<RpcAnswer> {
    const visible = await source.visible();
    const hex = numberToHex(visible);
    const params = [...(call.params ?? [])];
    const answer = (result: unknown): RpcAnswer => ({ jsonrpc: "2.0", id: call.id, result });
    const stale = <T>(value: T): T => {
      count("stale");
      return value;
    };
    const above = (tag: unknown) => typeof tag === "string" && isHex(tag) && tag.length > 2 && BigInt(tag) > visible;
    /** Forwards `call` and answers null if the object it returns lies above the visible head. */
    const hideAbove = async (field: string) => {
      const real = await forward(call);
      const n = blockNumberOf(real.result, field);
      return n !== undefined && n > visible ? stale(answer(null)) : real;
    };

    switch (call.method) {
      case "eth_blockNumber":
        return stale(answer(hex));
      case "eth_getBlockByNumber":
      case "eth_getBlockReceipts": {
        const tag = params[0];
        if (tag === "latest" || tag === "pending") {
          params[0] = hex;
          return stale(await forward({ ...call, params }));
        }
        if (above(tag)) return stale(answer(null));
        if (call.method === "eth_getBlockByNumber" && (tag === "safe" || tag === "finalized")) {
          // The node's safe/finalized block is never ahead of its own head.
          const real = await forward(call);
          if ((blockNumberOf(real.result, "number") ?? 0n) <= visible) return real;
          params[0] = hex;
          return stale(await forward({ ...call, params }));
        }
        return forward(call);
      }
      case "eth_getBlockByHash":
        return hideAbove("number");
      case "eth_getTransactionReceipt":
      case "eth_getTransactionByHash":
        return hideAbove("blockNumber");
      case "eth_getLogs": {
        const filter = params[0];
        if (!isRecord(filter)) return forward(call);
        if (typeof filter.blockHash === "string") {
          const real = await forward(call);
          const logs = Array.isArray(real.result) ? real.result : [];
          return logs.some((log) => (blockNumberOf(log, "blockNumber") ?? 0n) > visible) ? stale(answer([])) : real;
        }
        if (above(filter.fromBlock)) return stale(answer([]));
        const next = { ...filter };
        if (isLatest(filter.fromBlock)) next.fromBlock = hex;
        if (isLatest(filter.toBlock) || above(filter.toBlock)) next.toBlock = hex;
        params[0] = next;
        const rewritten = next.fromBlock !== filter.fromBlock || next.toBlock !== filter.toBlock;
        const real = await forward({ ...call, params });
        return rewritten ? stale(real) : real;
      }
      case "eth_feeHistory":
        if (!isLatest(params[1])) return forward(call);
        params[1] = hex;
        return stale(await forward({ ...call, params }));
      default: {
        const at = BLOCK_PARAM[call.method];
        if (at === undefined) return forward(call);
        const tag = params[at];
        if (isLatest(tag)) {
          // Later params (eth_call's state and block overrides) stay where they are.
          params[at] = hex;
          return stale(await forward({ ...call, params }));
        }
        // What geth says about a block it has not seen yet.
        if (above(tag))
          return stale({ jsonrpc: "2.0", id: call.id, error: { code: -32000, message: "header not found" } });
        return forward(call);
      }
    }
  }

  // --------------------------------------------------------------------------- transaction faults

  const txError = (call: RpcCall, message: string): RpcAnswer => ({
    jsonrpc: "2.0",
    id: call.id,
    error: { code: -32000, message },
  });

  async function minedWithin(hash: unknown, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!closed && Date.now() < deadline) {
      if ((await upstreamResult("eth_getTransactionReceipt", [hash])) !== null) return;
      await sleep(100);
    }
  }

  async function sendRawTransaction(call: RpcCall, f: Faults): Promise<RpcAnswer> {
    const raw = call.params?.[0];
    if (typeof raw !== "string" || !isHex(raw)) return forward(call);
    // One roll over adjacent bands, so each rate is that fault's own probability.
    let r = rand();
    const pick = (rate: number | undefined) => {
      r -= rate ?? 0;
      return r < 0;
    };
    if (pick(f.dropTxRate)) {
      count("dropTx");
      return { jsonrpc: "2.0", id: call.id, result: keccak256(raw as Hex) };
    }
    if (pick(f.nonceTooLowAfterMineRate)) {
      const real = await forward(call);
      if (real.error) return real;
      await minedWithin(real.result, MINED_WAIT_MS);
      count("nonceTooLow");
      return txError(call, "nonce too low");
    }
    if (pick(f.alreadyKnownRate)) {
      const real = await forward(call);
      if (real.error) return real;
      count("alreadyKnown");
      return txError(call, "already known");
    }
    if (pick(f.underpricedRate)) {
      count("underpriced");
      return txError(call, "replacement transaction underpriced");
    }
    return forward(call);
  }

  const txFaultsActive = (f: Faults) =>
    (f.dropTxRate ?? 0) + (f.nonceTooLowAfterMineRate ?? 0) + (f.alreadyKnownRate ?? 0) + (f.underpricedRate ?? 0) > 0;

  /** Answers the calls one by one (a batch's elements in parallel) with stale-head and transaction faults. */
  async function answerCalls(calls: Calls, f: Faults, source: HeadSource | undefined): Promise<HttpAnswer> {
    const answers = await Promise.all(
      calls.list.map((call) => {
        if (call.method === "eth_sendRawTransaction" && txFaultsActive(f)) return sendRawTransaction(call, f);
        return source ? staleAnswer(call, source) : forward(call);
      }),
    );
    const body = JSON.stringify(calls.batch ? answers : answers[0]);
    return { status: 200, headers: { "content-type": "application/json" }, body: Buffer.from(body) };
  }

  // ------------------------------------------------------------------------------- generic faults

  const genericActive = (f: Faults) =>
    burst.left > 0 ||
    (f.latencyMs ?? 0) > 0 ||
    (f.jitterMs ?? 0) > 0 ||
    (f.errorRate ?? 0) > 0 ||
    (f.resetRate ?? 0) > 0 ||
    (f.hangRate ?? 0) > 0 ||
    (f.malformedRate ?? 0) > 0;

  /** The status of an error burst this request belongs to, if any. */
  function errorStatus(f: Faults): number | undefined {
    if (burst.left > 0) {
      burst.left -= 1;
      return burst.status;
    }
    if (!f.errorRate || rand() >= f.errorRate) return undefined;
    const statuses = f.errorStatuses?.length ? f.errorStatuses : DEFAULT_ERROR_STATUSES;
    const status = statuses[Math.floor(rand() * statuses.length)]!;
    burst = { left: Math.max(1, f.burstLength ?? 1) - 1, status };
    return status;
  }

  function sendError(res: ServerResponse, status: number) {
    const headers: OutgoingHttpHeaders = { "content-type": "text/plain" };
    if (status === 429) headers["retry-after"] = "1";
    res.writeHead(status, headers);
    res.end(`${status} ${STATUS_CODES[status] ?? "Error"}`);
  }

  function sendMalformed(res: ServerResponse, calls: Calls | undefined) {
    const ids = calls?.list.map((c) => c.id ?? null) ?? [null];
    const batch = calls?.batch ?? false;
    const kind = malformed++ % 3;
    if (kind === 1) {
      // What a load balancer in front of the node serves when the node behind it is gone.
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>");
      return;
    }
    const one = (id: unknown) => (kind === 0 ? { jsonrpc: "2.0", id, result: "0x0" } : { jsonrpc: "2.0", id });
    const json = JSON.stringify(batch ? ids.map(one) : one(ids[0]));
    res.writeHead(200, { "content-type": "application/json" });
    // kind 0: the answer cut off half way, as when a connection drops mid-body behind a buffering proxy.
    res.end(kind === 0 ? json.slice(0, Math.floor(json.length / 2)) : json);
  }

  function reset(req: IncomingMessage) {
    // An RST rather than a FIN, so the client sees ECONNRESET as from a crashed or overloaded node.
    if (!req.socket.destroyed) req.socket.resetAndDestroy();
  }

  const methodMatches = (f: Faults, calls: Calls | undefined) =>
    !f.methods || (calls?.list.some((c) => f.methods?.includes(c.method)) ?? false);

  function send(res: ServerResponse, answer: HttpAnswer) {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(answer.headers)) if (!HOP_HEADERS.has(name)) headers[name] = value;
    headers["content-length"] = answer.body.length;
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  }

  // -------------------------------------------------------------------------------------- server

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (downMode === "hang") {
      heldByDown.add(req.socket);
      req.socket.once("close", () => heldByDown.delete(req.socket));
      return;
    }
    let gone = false;
    res.once("close", () => {
      gone = true;
    });
    const body = await readBody(req);
    const calls = parseCalls(body);
    const f = faults;
    const source = head;
    stats.requests += 1;
    for (const call of calls?.list ?? []) stats.byMethod[call.method] = (stats.byMethod[call.method] ?? 0) + 1;

    let resetAfter = false;
    if (genericActive(f) && methodMatches(f, calls)) {
      const delay = (f.latencyMs ?? 0) + (f.jitterMs ? rand() * f.jitterMs : 0);
      if (delay > 0) {
        count("latency");
        await sleep(delay);
        if (gone || closed) return;
      }
      const status = errorStatus(f);
      if (status !== undefined) {
        count(`error${status}`);
        return sendError(res, status);
      }
      const resetRate = f.resetRate ?? 0;
      const hangRate = f.hangRate ?? 0;
      const malformedRate = f.malformedRate ?? 0;
      if (resetRate + hangRate + malformedRate > 0) {
        const r = rand();
        if (r < resetRate) {
          if (resets++ % 2 === 0) {
            count("resetBefore");
            return reset(req);
          }
          resetAfter = true;
        } else if (r < resetRate + hangRate) {
          // Nothing is written; the socket is released when the client aborts or `close()` destroys it.
          count("hang");
          return;
        } else if (r < resetRate + hangRate + malformedRate) {
          count("malformed");
          return sendMalformed(res, calls);
        }
      }
    }

    const elementFaults =
      calls !== undefined &&
      (source !== undefined || (txFaultsActive(f) && calls.list.some((c) => c.method === "eth_sendRawTransaction")));
    const answer = elementFaults ? await answerCalls(calls, f, source) : await upstream(body);
    if (gone || closed) return;
    if (resetAfter) {
      count("resetAfter");
      return reset(req);
    }
    send(res, answer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // The upstream is down or broke mid-answer: a gateway says so with a 502, it does not crash.
      if (res.headersSent || res.destroyed) return;
      const message = error instanceof Error ? error.message : String(error);
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`502 Bad Gateway: upstream ${message}`);
    });
  });
  server.on("connection", (socket: Socket) => {
    if (closed || downMode === "refuse") return socket.destroy();
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    // A client that resets its end must not crash the test process.
    socket.on("error", () => {});
  });
  server.on("clientError", (_error, socket) => socket.destroy());

  function listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops listening and destroys every open connection, held ones included. */
  function shutListener(): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
    for (const socket of sockets) socket.destroy();
    return stopped;
  }

  const port = await listen(options.port ?? 0);
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    seed,
    set(next) {
      faults = { ...next };
      if (!next.staleHead) head = undefined;
      else head = next.staleHead.mode === "freeze" ? freezeHead() : lagHead(next.staleHead.blocks);
    },
    clear() {
      faults = {};
      head = undefined;
      burst = { left: 0, status: 0 };
    },
    stats: () => structuredClone(stats),
    resetStats() {
      stats = emptyStats();
    },
    async down(mode) {
      if (closed) throw new Error("the proxy is closed");
      if (downMode === "refuse") await listen(port);
      downMode = mode;
      if (mode === "refuse") await shutListener();
    },
    async up() {
      if (closed) throw new Error("the proxy is closed");
      const was = downMode;
      downMode = undefined;
      if (was === "refuse") await listen(port);
      for (const socket of heldByDown) socket.destroy();
      heldByDown.clear();
    },
    async close() {
      if (closed) return;
      closed = true;
      await shutListener();
      agent.destroy();
    },
  };
}
