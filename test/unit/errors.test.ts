/**
 * The error hierarchy and the one mapping onto job outcomes: only a run's own revert uses an attempt.
 * The viem errors are built the way viem builds them from a node's answer (seen through the fault proxy).
 */
import {
  HttpRequestError,
  InternalRpcError,
  InvalidInputRpcError,
  ResourceNotFoundRpcError,
  RpcRequestError,
  TimeoutError,
  TransactionExecutionError,
  TransactionRejectedRpcError,
} from "viem";
import { describe, expect, it } from "vitest";
import {
  FeeCapError,
  isOutOfGas,
  isTransient,
  RunRevertedError,
  SignerFundsError,
  SimulationError,
  TxPendingError,
  WorkflowFundsError,
} from "../../executor/errors.js";
import { bump, feesFor, higher } from "../../executor/worker/fees.js";
import { outcomeOfError } from "../../executor/worker/outcome.js";
import { classifyRpcError } from "../../executor/worker/rpc-errors.js";

/** A node's JSON-RPC error as viem's http transport surfaces it. */
const nodeError = (code: number, message: string) =>
  new RpcRequestError({ body: { method: "eth_sendRawTransaction" }, error: { code, message }, url: "http://node" });

describe("classifyRpcError", () => {
  it("tells 'already known' (ours is pending) from 'nonce too low' (the nonce is used)", () => {
    // viem files both under NonceTooLowError once wrapped by sendTransaction; the node's words decide.
    expect(classifyRpcError(new InvalidInputRpcError(nodeError(-32000, "already known")))).toBe("already_known");
    expect(classifyRpcError(new InvalidInputRpcError(nodeError(-32000, "nonce too low")))).toBe("nonce_too_low");
    expect(classifyRpcError(new TransactionRejectedRpcError(nodeError(-32003, "nonce too low")))).toBe("nonce_too_low");
  });

  it("knows underpriced replacements and empty wallets", () => {
    expect(classifyRpcError(new InvalidInputRpcError(nodeError(-32000, "replacement transaction underpriced")))).toBe(
      "underpriced",
    );
    expect(
      classifyRpcError(new InvalidInputRpcError(nodeError(-32000, "insufficient funds for gas * price + value"))),
    ).toBe("insufficient_funds");
  });

  it("calls a failed conversation transient: HTTP 429/5xx, resets, timeouts", () => {
    expect(classifyRpcError(new HttpRequestError({ url: "http://node", status: 429 }))).toBe("transient");
    expect(classifyRpcError(new HttpRequestError({ url: "http://node", status: 502 }))).toBe("transient");
    expect(classifyRpcError(new HttpRequestError({ url: "http://node", details: "fetch failed" }))).toBe("transient");
    expect(classifyRpcError(new TimeoutError({ body: {}, url: "http://node" }))).toBe("transient");
  });

  it("never calls the EVM running out of gas transient, though anvil sends it as an internal error", () => {
    const oog = new InternalRpcError(nodeError(-32603, "EVM error OutOfGas"));
    expect(isTransient(oog)).toBe(false);
    expect(isOutOfGas(oog)).toBe(true);
    expect(isTransient(new InternalRpcError(nodeError(-32603, "internal error")))).toBe(true);
    expect(isOutOfGas(new InternalRpcError(nodeError(-32603, "internal error")))).toBe(false);
  });

  it("calls a block the node does not have transient: a call at a block a reorg replaced is asked again, not the checker's fault", () => {
    // anvil answers -32001 "Resource not found"; geth says "header not found".
    expect(isTransient(new ResourceNotFoundRpcError(nodeError(-32001, "Resource not found")))).toBe(true);
    expect(isTransient(new InvalidInputRpcError(nodeError(-32000, "header for hash not found")))).toBe(true);
    expect(isTransient(new InvalidInputRpcError(nodeError(-32000, "execution reverted")))).toBe(false);
  });

  it("leaves a refusal it does not know as other", () => {
    expect(classifyRpcError(new InvalidInputRpcError(nodeError(-32000, "intrinsic gas too low")))).toBe("other");
  });

  it("reads the node's words through a TransactionExecutionError wrapper", () => {
    const wrapped = new TransactionExecutionError(new InvalidInputRpcError(nodeError(-32000, "already known")), {
      account: undefined,
      chain: undefined,
    } as unknown as ConstructorParameters<typeof TransactionExecutionError>[1]);
    expect(classifyRpcError(wrapped)).toBe("already_known");
  });
});

describe("outcomeOfError", () => {
  const now = 1_000_000;

  it("uses an attempt only for the run's own revert and for what nobody recognises", () => {
    expect(outcomeOfError(new RunRevertedError("action would revert: no"), now)).toEqual({
      kind: "failed",
      message: "action would revert: no",
    });
    expect(outcomeOfError(new Error("a bug"), now).kind).toBe("failed");
  });

  it("puts the job back without an attempt for RPC faults, fees, funds and pending transactions", () => {
    const cases: [unknown, string][] = [
      [new HttpRequestError({ url: "http://node", status: 503 }), "rpc"],
      [new TimeoutError({ body: {}, url: "http://node" }), "rpc"],
      [new FeeCapError("base fee above the cap"), "fees"],
      [new SignerFundsError("empty"), "signer_funds"],
      [new WorkflowFundsError("cannot pay"), "workflow_funds"],
      [new SimulationError("AccessControlUnauthorizedAccount"), "operator"],
      [new TxPendingError("not mined yet"), "tx_pending"],
    ];
    for (const [error, reason] of cases) {
      const outcome = outcomeOfError(error, now);
      expect([reason, outcome.kind]).toEqual([reason, "delay"]);
      if (outcome.kind === "delay") {
        expect(outcome.reason).toBe(reason);
        expect(outcome.untilMs).toBeGreaterThan(now);
      }
    }
  });

  it("waits longer for an owner to fund a workflow than for an RPC to come back", () => {
    const rpc = outcomeOfError(new HttpRequestError({ url: "http://node", status: 503 }), now);
    const funds = outcomeOfError(new WorkflowFundsError("cannot pay"), now);
    expect(rpc.kind === "delay" && funds.kind === "delay" && funds.untilMs > rpc.untilMs).toBe(true);
  });

  it("honours a 429's Retry-After", () => {
    const error = new HttpRequestError({
      url: "http://node",
      status: 429,
      headers: new Headers({ "retry-after": "3" }),
    });
    const outcome = outcomeOfError(error, now);
    expect(outcome).toMatchObject({ kind: "delay", untilMs: now + 3_000, reason: "rpc" });
  });
});

describe("fees", () => {
  const gwei = 1_000_000_000n;

  it("refuses to send when the base fee is at the cap (a wait, not a failure)", () => {
    expect(() => feesFor(50n * gwei, gwei, 50n * gwei)).toThrow(FeeCapError);
    expect(feesFor(10n * gwei, gwei, 50n * gwei)).toEqual({ maxFeePerGas: 21n * gwei, maxPriorityFeePerGas: gwei });
    expect(feesFor(30n * gwei, gwei, 50n * gwei).maxFeePerGas).toBe(50n * gwei);
  });

  it("bumps a replacement by at least 12.5%, up to the cap, and not past it", () => {
    const next = bump({ maxFeePerGas: 1000n, maxPriorityFeePerGas: 100n }, 10_000n)!;
    expect(next.maxFeePerGas).toBeGreaterThanOrEqual(1125n);
    expect(next.maxPriorityFeePerGas).toBeGreaterThanOrEqual(113n);
    expect(bump({ maxFeePerGas: 9_900n, maxPriorityFeePerGas: 100n }, 10_000n)?.maxFeePerGas).toBe(10_000n);
    expect(bump({ maxFeePerGas: 10_000n, maxPriorityFeePerGas: 100n }, 10_000n)).toBeUndefined();
  });

  it("takes the higher of two fee pairs field by field", () => {
    expect(
      higher({ maxFeePerGas: 10n, maxPriorityFeePerGas: 5n }, { maxFeePerGas: 20n, maxPriorityFeePerGas: 1n }),
    ).toEqual({ maxFeePerGas: 20n, maxPriorityFeePerGas: 5n });
  });
});
