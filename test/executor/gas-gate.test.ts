/** The gas gate that keeps unmined transactions within what the next blocks can hold. */
import { expect, it } from "vitest";
import { GasGate } from "../../executor/worker/gas-gate.js";

it("admits up to its capacity, then first come first served as gas is released", async () => {
  const gate = new GasGate(() => 10n);
  const admitted: string[] = [];
  const take = (name: string, gas: bigint) => gate.acquire(gas).then(() => admitted.push(name));
  await take("a", 6n);
  const b = take("b", 6n); // would exceed 10: waits
  const c = take("c", 1n); // fits, but waits behind b: no overtaking
  await new Promise((r) => setTimeout(r, 10));
  expect(admitted).toEqual(["a"]);
  gate.release(6n);
  await Promise.all([b, c]);
  expect(admitted).toEqual(["a", "b", "c"]);
  expect(gate.inFlight).toBe(7n);
});

it("lets a batch larger than the capacity through when nothing else is in flight", async () => {
  const gate = new GasGate(() => 10n);
  await gate.acquire(25n);
  expect(gate.inFlight).toBe(25n);
  let second = false;
  const waiting = gate.acquire(1n).then(() => {
    second = true;
  });
  await new Promise((r) => setTimeout(r, 10));
  expect(second).toBe(false);
  gate.release(25n);
  await waiting;
  expect(gate.inFlight).toBe(1n);
});
