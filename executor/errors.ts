/**
 * One hierarchy for everything a run can fail with, in the style of viem's BaseError and Ponder's
 * RetryableError: every error says whether trying again can help, and the job outcome follows from that
 * in one place (worker/outcome.ts).
 *
 * - "retry": a transient fault between us and the node (a timeout, a 429 or 5xx, a reset, a garbled
 *   answer, a node that does not know a block yet). Try again soon. Uses no attempt.
 * - "wait": something outside the run must change first (fees above MAX_FEE_GWEI, a signer without gas
 *   money, a workflow that cannot pay). Try again later. Uses no attempt.
 * - "fail": the run itself is at fault (its action reverts), or nobody knows what went wrong. Uses up an
 *   attempt; after the last one the job is dead-lettered for a human to look at.
 *
 * Only "fail" consumes attempts, so an RPC outage or a fee spike never dead-letters a run.
 */
import {
  BaseError,
  HttpRequestError,
  InternalRpcError,
  InvalidInputRpcError,
  LimitExceededRpcError,
  ResourceNotFoundRpcError,
  ResourceUnavailableRpcError,
  RpcRequestError,
  TimeoutError,
  UnknownRpcError,
} from "viem";

export type Retry = "retry" | "wait" | "fail";

export abstract class ExecutorError extends Error {
  abstract readonly retry: Retry;
  /** When the error knows how long the condition lasts (a 429's Retry-After, the next block). */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The node did not answer usefully: timeout, HTTP error, reset, malformed body, rate limit. */
export class RpcUnavailableError extends ExecutorError {
  override name = "RpcUnavailableError";
  readonly retry = "retry";
}

/** The next block's base fee is at or above MAX_FEE_GWEI: nothing is sent until it falls. */
export class FeeCapError extends ExecutorError {
  override name = "FeeCapError";
  readonly retry = "wait";
}

/** No signer can pay for gas right now; runs wait until one is funded. */
export class SignerFundsError extends ExecutorError {
  override name = "SignerFundsError";
  readonly retry = "wait";
}

/** The workflow's escrow balance does not cover a run; it waits for the owner to fund it. */
export class WorkflowFundsError extends ExecutorError {
  override name = "WorkflowFundsError";
  readonly retry = "wait";
}

/** What an underpriced run would pay and cost, at the price its transaction would pay. */
export interface UnderpricedRun {
  feeWei: bigint;
  costWei: bigint;
  gasUsed: bigint;
  gasPriceWei: bigint;
}

/**
 * The run's fee, capped at its owner's maxFeePerRun, is below what the run would cost the worker at the
 * price its transaction would pay. It is not sent and uses no attempt: it waits for the price to fall
 * (or the owner to raise the cap). A workflow that cannot pay is not the worker's fault, nor a fault.
 */
export class UnderpricedError extends ExecutorError {
  override name = "UnderpricedError";
  readonly retry = "wait";
  readonly run: UnderpricedRun;

  constructor(run: UnderpricedRun) {
    super(
      `underpriced: pays at most ${run.feeWei} wei, costs ${run.costWei} wei (${run.gasUsed} gas at ${run.gasPriceWei} wei)`,
    );
    this.run = run;
  }
}

/**
 * The chain refused the batch before any run could start, for a reason that is not the run's own (the
 * signer lost WORKER_ROLE, a contract was paused or upgraded): an operator has to act, so it waits.
 */
export class SimulationError extends ExecutorError {
  override name = "SimulationError";
  readonly retry = "wait";
}

/**
 * The transaction carrying the run is not settled yet: not mined in TX_TIMEOUT_MS, or its nonce was used
 * by another transaction, or a reorg took it away. The signer keeps watching it; the job looks again.
 */
export class TxPendingError extends ExecutorError {
  override name = "TxPendingError";
  readonly retry = "retry";
}

/** The run's own action would revert (or did): the one failure that is the workflow's. */
export class RunRevertedError extends ExecutorError {
  override name = "RunRevertedError";
  readonly retry = "fail";
}

/** Anything we cannot classify. Failing uses an attempt, so an unknown fault cannot loop forever unseen. */
export class UnexpectedError extends ExecutorError {
  override name = "UnexpectedError";
  readonly retry = "fail";
}

/** Node messages that mean "not now" rather than "never" (a lagging or overloaded node). */
const TRANSIENT_MESSAGE =
  /header (for hash )?not found|unknown block|block not found|missing trie node|timeout|timed out|too many requests|rate limit|try again|temporarily|overloaded|busy|service unavailable|bad gateway|socket|ECONNRESET|ECONNREFUSED|EPIPE|fetch failed|other side closed/i;

/**
 * The EVM's own verdict on a call (it ran out of gas). Some nodes (anvil) send it as an internal error
 * (-32603), which would otherwise read as a node in trouble: asking again gives the same answer.
 */
const EXECUTION_MESSAGE = /out of gas|OutOfGas|MemoryOOG|gas required exceeds/i;

/**
 * True for failures of the conversation with the node rather than answers from it: these are worth the
 * same request again (on this endpoint or the next).
 */
export function isTransient(error: unknown): boolean {
  if (EXECUTION_MESSAGE.test(errorText(error))) return false;
  if (!(error instanceof BaseError)) {
    return error instanceof Error && TRANSIENT_MESSAGE.test(error.message);
  }
  const transport = error.walk(
    (e) =>
      e instanceof HttpRequestError ||
      e instanceof TimeoutError ||
      e instanceof LimitExceededRpcError ||
      e instanceof InternalRpcError ||
      e instanceof ResourceUnavailableRpcError ||
      // -32001: a block the node does not have (anvil's answer to a call at a block a reorg replaced)
      e instanceof ResourceNotFoundRpcError ||
      // viem parses a malformed body into an RpcRequestError/UnknownRpcError without a node code
      e instanceof UnknownRpcError,
  );
  if (transport) return true;
  const rpc = error.walk((e) => e instanceof RpcRequestError || e instanceof InvalidInputRpcError);
  const text = `${error.shortMessage} ${error.details ?? ""} ${rpc instanceof BaseError ? rpc.details : ""}`;
  return TRANSIENT_MESSAGE.test(text);
}

/** True when the call ran and ran out of gas (see EXECUTION_MESSAGE). */
export const isOutOfGas = (error: unknown): boolean => EXECUTION_MESSAGE.test(errorText(error));

/** The executor error for anything thrown, keeping what it already was. */
export function toExecutorError(error: unknown): ExecutorError {
  if (error instanceof ExecutorError) return error;
  const message = errorText(error);
  if (isTransient(error)) return new RpcUnavailableError(message, { cause: error, retryAfterMs: retryAfter(error) });
  return new UnexpectedError(message, { cause: error });
}

/** A 429's Retry-After, when the node sent one. */
function retryAfter(error: unknown): number | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const http = error.walk((e) => e instanceof HttpRequestError);
  if (!(http instanceof HttpRequestError) || http.status !== 429) return undefined;
  const header = http.headers?.get("retry-after");
  const seconds = header ? Number(header) : Number.NaN;
  return Number.isFinite(seconds) ? Math.min(seconds * 1000, 30_000) : undefined;
}

/** One line for a log or a job's failedReason: viem's short message, never its request body. */
export function errorText(error: unknown): string {
  if (error instanceof BaseError) return error.details ? `${error.shortMessage}: ${error.details}` : error.shortMessage;
  return error instanceof Error ? error.message : String(error);
}
