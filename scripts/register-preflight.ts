/**
 * What `npm run workflow -- register` looks at before it sends (issue 15: a workflow registered by
 * mistake runs, fails and is paid for, or never runs, and its owner learns only by looking):
 * - every address the workflow calls or watches must hold contract code: an account (a typo, another
 *   chain's address) is refused unless --force;
 * - each action is simulated as the workflow's forwarder will send it, and a --gas-limit below what the
 *   actions need, or an action that reverts now, is said before sending;
 * - a workflow registered without funds is said after: it will not run until funded.
 * A Gelato task's call is the resolver's answer, known only when it is checked, and a Chainlink upkeep's
 * perform only once it says yes: their gas is not simulated here.
 */
import { type Address, type Chain, type Hex, type PublicClient, type Transport, zeroAddress } from "viem";
import { workflowRegistryAbi } from "../abis/index.js";
import { decodeLogTrigger } from "../lib/log-trigger.js";
import { decodeRevertReason, revertDataOf } from "../lib/revert-reason.js";
import { CheckerKind, TriggerType, type WorkflowSpec } from "../lib/spec.js";

/** An address the workflow depends on, with the flag that gave it. */
export interface SpecAddress {
  flag: string;
  address: Address;
}

/** Every contract the spec calls or watches, named by the flag that gave it. */
export function contractsOf(spec: WorkflowSpec): SpecAddress[] {
  const out: SpecAddress[] = [];
  const { kind, checkerKind, checker, data } = spec.trigger;
  if (checker !== zeroAddress) {
    const flag =
      kind === TriggerType.LOG ? "--chainlink-log" : checkerKind === CheckerKind.GELATO ? "--gelato" : "--chainlink";
    out.push({ flag, address: checker });
  }
  if (kind === TriggerType.LOG) {
    const flag = checkerKind === CheckerKind.CHAINLINK ? "--emitter" : "--on-log";
    out.push({ flag, address: decodeLogTrigger(data).emitter });
  }
  for (const action of spec.actions) out.push({ flag: "--target", address: action.target });
  return out;
}

/** The addresses among `contracts` with no code on the chain (accounts, or nothing deployed there). */
export async function withoutCode(
  client: PublicClient<Transport, Chain>,
  contracts: SpecAddress[],
): Promise<SpecAddress[]> {
  const codes = await Promise.all(contracts.map((c) => client.getCode({ address: c.address })));
  return contracts.filter((_, i) => !codes[i] || codes[i] === "0x");
}

/** Gas an action's call costs inside a run: its estimate less what only a transaction of its own pays. */
const TX_BASE_GAS = 21_000n;

/**
 * The warnings a simulation of one run gives: each action sent from the forwarder the workflow will get
 * (the registry's next id; another registration in between only moves it), its gas summed against the
 * gas limit. Empty when the run looks fine or cannot be simulated here (CONDITION).
 */
export async function runWarnings(
  client: PublicClient<Transport, Chain>,
  registry: Address,
  spec: WorkflowSpec,
): Promise<string[]> {
  if (spec.trigger.checkerKind !== CheckerKind.NONE || spec.actions.length === 0) return [];
  const next =
    (await client.readContract({ address: registry, abi: workflowRegistryAbi, functionName: "workflowCount" })) + 1n;
  const forwarder = await client.readContract({
    address: registry,
    abi: workflowRegistryAbi,
    functionName: "forwarderOf",
    args: [next],
  });
  const value = spec.actions.reduce((sum, a) => sum + a.value, 0n);
  const warnings: string[] = [];
  let need = 0n;
  for (const [i, action] of spec.actions.entries()) {
    try {
      const gas = await client.estimateGas({
        account: forwarder,
        to: action.target,
        data: action.data as Hex,
        value: action.value,
        // The forwarder holds the run's value when it calls (the escrow sends it along).
        stateOverride: value > 0n ? [{ address: forwarder, balance: value }] : undefined,
      });
      need += gas > TX_BASE_GAS ? gas - TX_BASE_GAS : gas;
    } catch (error) {
      const reason = decodeRevertReason(revertDataOf(error)) ?? shortMessage(error);
      warnings.push(`action ${i + 1} (--target ${action.target}) reverts if run now: ${reason}`);
    }
  }
  if (warnings.length === 0 && need > BigInt(spec.gasLimit)) {
    warnings.push(
      `--gas-limit ${spec.gasLimit} is below the ${need} gas one run's actions need (simulated now): ` +
        "its runs would fail out of gas and still be charged",
    );
  }
  return warnings;
}

const shortMessage = (error: unknown) =>
  ((error as { shortMessage?: string }).shortMessage ?? (error as Error).message ?? String(error)).split("\n")[0];
