/** The nonce rule on its own: what a signer does when the chain's count disagrees with what it holds. */
import { describe, expect, it } from "vitest";
import { NonceAuthority, planNonces, type TrackedNonce } from "../../executor/worker/nonces.js";

const grace = 3_000;
const tx = (nonce: number, mined: boolean, sinceBroadcastMs = 10_000): TrackedNonce => ({
  nonce,
  mined,
  sinceBroadcastMs,
});

describe("planNonces", () => {
  it("does nothing while the chain and the signer agree", () => {
    expect(
      planNonces({ latest: 12, tracked: [tx(10, true), tx(11, true)], next: 12, stuckForMs: 60_000, graceMs: grace }),
    ).toEqual({ reorged: [], checkKnown: [], fill: undefined });
  });

  it("finds mined transactions a reorg took away (the chain's count fell back below them)", () => {
    const plan = planNonces({
      latest: 9,
      tracked: [tx(8, true), tx(9, true), tx(10, true), tx(11, false)],
      next: 12,
      stuckForMs: 0,
      graceMs: grace,
    });
    expect(plan.reorged).toEqual([9, 10]);
  });

  it("asks about unmined ones only once a node should have seen them", () => {
    const fresh = planNonces({ latest: 9, tracked: [tx(9, false, 500)], next: 10, stuckForMs: 0, graceMs: grace });
    expect(fresh.checkKnown).toEqual([]);
    const old = planNonces({
      latest: 9,
      tracked: [tx(10, false), tx(9, false)],
      next: 11,
      stuckForMs: 0,
      graceMs: grace,
    });
    expect(old.checkKnown).toEqual([9, 10]);
  });

  it("fills the nonce the chain is stuck at when nobody holds it, but only after it stood still", () => {
    const facts = { latest: 9, tracked: [tx(10, false), tx(11, false)], next: 12, graceMs: grace };
    expect(planNonces({ ...facts, stuckForMs: grace }).fill).toBeUndefined();
    expect(planNonces({ ...facts, stuckForMs: 2 * grace }).fill).toBe(9);
  });

  it("fills a gap a previous process left, even with nothing in flight (a job waits for that nonce)", () => {
    expect(planNonces({ latest: 9, tracked: [], next: 10, stuckForMs: 60_000, graceMs: grace }).fill).toBe(9);
    expect(planNonces({ latest: 9, tracked: [], next: undefined, stuckForMs: 60_000, graceMs: grace }).fill).toBe(
      undefined,
    );
  });

  it("never fills a nonce it holds", () => {
    expect(planNonces({ latest: 9, tracked: [tx(9, false)], next: 10, stuckForMs: 60_000, graceMs: grace }).fill).toBe(
      undefined,
    );
  });
});

describe("NonceAuthority", () => {
  it("hands nonces out in order from the chain's pending count, and asks again after a resync", async () => {
    let pending = 5;
    let reads = 0;
    const nonces = new NonceAuthority(async () => {
      reads += 1;
      return pending;
    });
    expect(await Promise.all([nonces.take(), nonces.take(), nonces.take()])).toEqual([5, 6, 7]);
    expect(reads).toBe(1);
    pending = 6; // the node refused 6 and 7
    nonces.resync();
    expect(await nonces.take()).toBe(6);
    expect(reads).toBe(2);
    nonces.passed(9); // the signer filled 9 itself
    expect(await nonces.take()).toBe(10);
  });

  it("never hands out a nonce the signer still holds, though the chain's count points at it", async () => {
    // 616 vanished and waits to be sent again (its re-send refused for lack of gas money); a later send
    // was refused too, so the authority asks the chain, whose pending count is back at 616.
    const held = new Set([616, 618]);
    const nonces = new NonceAuthority(
      async () => 616,
      (n) => held.has(n),
    );
    expect(await Promise.all([nonces.take(), nonces.take(), nonces.take()])).toEqual([617, 619, 620]);
    nonces.resync();
    held.clear();
    expect(await nonces.take()).toBe(616);
  });
});
