/**
 * npm run workflow -- <command> [options]   (--help on any command)
 * A CLI for workflow owners: register, fund, withdraw, max-fee, pause, resume, cancel, status, and alert
 * subscriptions (subscribe, unsubscribe, subscriptions).
 * Everything is checked before a transaction is sent: addresses, amounts, function signatures.
 */
import {
  type AbiEvent,
  type AbiFunction,
  type AbiParameter,
  type Address,
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  type Hex,
  isAddress,
  isHex,
  pad,
  parseAbiItem,
  parseEther,
  toEventSelector,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { feeEscrowAbi, workflowRegistryAbi } from "../abis/index.js";
import { DEV_KEYS } from "../lib/accounts.js";
import { publicClientFor, walletFor } from "../lib/clients.js";
import { CronError, type CronSpec, nextTicks, parseCron } from "../lib/cron.js";
import { ConfigError, parseEnv, privateKey, runMain, url } from "../lib/env.js";
import type { LogFilter } from "../lib/log-trigger.js";
import { chainArg, networksFromEnv, oneNetwork } from "../lib/network.js";
import { registeredEvent, withRegisterHeadroom } from "../lib/registered.js";
import {
  type Action,
  chainlinkLogSpec,
  chainlinkSpec,
  cronSpec,
  gelatoSpec,
  logSpec,
  timeSpec,
  type WorkflowSpec,
} from "../lib/spec.js";
import { urlProblem } from "../lib/subscriptions.js";
import { apiGet } from "./api.js";
import { contractsOf, runWarnings, type SpecAddress, withoutCode } from "./register-preflight.js";
import { type RunAnswer, statusSummary, type WorkflowAnswer } from "./workflow-status.js";
import { isSubscriptionCommand, runSubscriptionCommand, SUBSCRIPTION_HELP } from "./workflow-subscribe.js";

const HELP: Record<string, string> = {
  register: `npm run workflow -- register [trigger] [action] [limits]
  trigger (one of):
    --every <seconds>            TIME: run every N seconds (0 = once)
    --chainlink <upkeep>         CONDITION: checkUpkeep off-chain, performUpkeep on-chain
      [--check-data 0x…]
    --gelato <resolver>          CONDITION: checker() off-chain, its payload called on --target
    [--min-interval <seconds>]   CONDITION: least time between runs (default 0)
    --on-log <emitter>           LOG: run the actions once for every matching log the emitter emits
      --event "<Event(…)>"       e.g. "Transfer(address indexed,address indexed,uint256)"
      [--topic1 <value>]         match the 1st indexed parameter (--topic2, --topic3: the 2nd, 3rd);
                                 a 0x hex word, or an address / decimal integer for such a parameter
    --chainlink-log <upkeep>     LOG: checkLog(log, checkData) off-chain, performUpkeep on-chain
      --emitter <address> --event "<Event(…)>" [--topic1 <value>] … [--check-data 0x…]
    --cron "<expression>"        CRON: run the actions on a 5-field UTC schedule, e.g. "0 9 * * 1-5"
                                 (minute hour day-of-month month day-of-week; @daily, @hourly…);
                                 prints its next 3 runs once registered
  action (TIME, LOG, CRON; repeat --target for several actions in order):
    --target <address> --call "<signature>" [--args a,b,c]   e.g. --call "transfer(address,uint256)"
    --target <address> --data 0x…                            raw calldata
    [--value <ether>]                                        native value sent with the action
  limits:
    --fund <ether>               deposit with the registration (default 0)
    --gas-limit <gas>            per run (default 200000)
    --max-fee <ether>            per run (default 0.01)
    --start <unix seconds>  --max-runs <n>  --end <unix seconds>
  checks before sending: every address must hold contract code (--force registers anyway); the actions
  are simulated against --gas-limit; a workflow without --fund is said to wait for funds`,
  fund: "npm run workflow -- fund <id> <ether>        deposit into a workflow's balance (anyone may)",
  withdraw: "npm run workflow -- withdraw <id> <ether>    take funds back (owner)",
  "max-fee":
    "npm run workflow -- max-fee <id> <ether>     set the most one run may be charged (owner); an underpriced\n" +
    "                                             workflow runs again once this covers a run. The schedule\n" +
    "                                             restarts from now (the registry's update)",
  pause: "npm run workflow -- pause <id>               stop running it (owner)",
  resume: "npm run workflow -- resume <id>              run it again; missed slots are skipped (owner)",
  cancel: "npm run workflow -- cancel <id>              end it for good; the balance is refunded (owner)",
  status:
    "npm run workflow -- status <id> [--json]     health, next due, balance, queue and last runs, from the API at\n" +
    "                                             PONDER_URL; --json prints the API's answer as it is",
  ...SUBSCRIPTION_HELP,
  cron:
    'npm run workflow -- cron "<expression>"      check a 5-field UTC cron expression and print its next 3 runs;\n' +
    "  [--after <unix seconds>]                   counted from then instead of now. Sends nothing",
};

const USAGE = `usage: npm run workflow -- <command> [options]
commands: ${Object.keys(HELP).join(", ")}   (--help after any command for its options)
environment: RPC_URL, OWNER_PRIVATE_KEY (anvil's dev owner key on chain 31337), PONDER_URL, and the
contract addresses from deployments/<chainId>.json or REGISTRY_ADDRESS / FEEESCROW_ADDRESS
several chains (CHAINS): --chain <id> names the one a command acts on`;

class UsageError extends ConfigError {}

/** Flags that take no value. */
const SWITCHES = new Set(["force"]);

/** --name value pairs (a switch: --name alone); repeated names collect in order. */
function options(argv: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument "${arg}"`);
    if (SWITCHES.has(arg.slice(2))) {
      out.set(arg.slice(2), ["true"]);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--")) throw new UsageError(`${arg} needs a value`);
    out.set(arg.slice(2), [...(out.get(arg.slice(2)) ?? []), value]);
    i += 1;
  }
  return out;
}

export function parseId(raw: string | undefined): bigint {
  if (!raw || !/^\d{1,78}$/.test(raw) || BigInt(raw) < 1n)
    throw new UsageError(`workflow id must be a positive integer, got "${raw ?? ""}"`);
  return BigInt(raw);
}

export function parseAddress(raw: string | undefined, what: string): Address {
  if (!raw || !isAddress(raw, { strict: false }))
    throw new UsageError(`${what} must be a 0x-prefixed 20-byte address, got "${raw ?? ""}"`);
  return getAddress(raw);
}

export function parseAmount(raw: string | undefined, what: string): bigint {
  if (!raw || !/^\d+(\.\d{1,18})?$/.test(raw))
    throw new UsageError(`${what} must be an amount in ether like 0.5, got "${raw ?? ""}"`);
  return parseEther(raw);
}

/**
 * Tells the explorer the functions --call named, so it shows `transfer(…)` rather than calldata (the
 * chain keeps only the 4-byte selector). Best effort: a registration stands without it, and `say`s so.
 */
async function nameCalls(ponderUrl: string, signatures: string[], say: boolean): Promise<void> {
  for (const signature of new Set(signatures)) {
    const res = await fetch(`${ponderUrl}/api/signatures`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ signature }),
    }).catch(() => undefined);
    if (!res?.ok) {
      if (!say) return;
      console.error(
        `note: the explorer at ${ponderUrl} could not be told "${signature}" (${res ? `HTTP ${res.status}` : "no answer"}): it shows the calldata instead`,
      );
      return;
    }
  }
}

function parseUint(raw: string | undefined, what: string, fallback?: bigint): bigint {
  if (raw === undefined && fallback !== undefined) return fallback;
  if (!raw || !/^\d{1,20}$/.test(raw))
    throw new UsageError(`${what} must be a non-negative integer, got "${raw ?? ""}"`);
  return BigInt(raw);
}

/** Encodes a call from a human signature and comma-separated arguments, checking both. */
export function encodeCall(signature: string, rawArgs: string | undefined): Hex {
  let fn: AbiFunction;
  try {
    const item = parseAbiItem(`function ${signature.replace(/^function\s+/, "")}`);
    if (item.type !== "function") throw new Error();
    fn = item;
  } catch {
    throw new UsageError(
      `--call "${signature}" is not a function signature like "increment()" or "transfer(address,uint256)"`,
    );
  }
  const parts = rawArgs === undefined || rawArgs === "" ? [] : rawArgs.split(",").map((a) => a.trim());
  if (parts.length !== fn.inputs.length) {
    throw new UsageError(`${fn.name} takes ${fn.inputs.length} argument(s), --args gave ${parts.length}`);
  }
  const args = fn.inputs.map((input, i) => {
    const raw = parts[i]!;
    if (/^u?int\d*$/.test(input.type)) {
      if (!/^-?\d+$/.test(raw))
        throw new UsageError(`argument ${i + 1} (${input.type}) must be an integer, got "${raw}"`);
      return BigInt(raw);
    }
    if (input.type === "address") return parseAddress(raw, `argument ${i + 1}`);
    if (input.type === "bool") {
      if (raw !== "true" && raw !== "false") throw new UsageError(`argument ${i + 1} (bool) must be true or false`);
      return raw === "true";
    }
    if (input.type.startsWith("bytes")) {
      if (!isHex(raw)) throw new UsageError(`argument ${i + 1} (${input.type}) must be 0x-prefixed hex`);
      return raw;
    }
    if (input.type === "string") return raw;
    throw new UsageError(`argument type ${input.type} is not supported here; pass --data with raw calldata instead`);
  });
  try {
    return encodeFunctionData({ abi: [fn], functionName: fn.name, args });
  } catch (error) {
    throw new UsageError(`cannot encode ${fn.name}: ${(error as Error).message.split("\n")[0]}`);
  }
}

/** An event from a human signature ("Transfer(address indexed,address indexed,uint256)"), checked. */
export function parseEvent(signature: string | undefined, flag: string): AbiEvent {
  const example = `like "Ping()" or "Transfer(address indexed,address indexed,uint256)"`;
  if (signature === undefined) throw new UsageError(`${flag} needs --event "<Event(type,…)>", ${example}`);
  let event: AbiEvent;
  try {
    const item = parseAbiItem(`event ${signature.trim().replace(/^event\s+/, "")}`);
    if (item.type !== "event") throw new Error();
    event = item;
  } catch {
    throw new UsageError(`--event "${signature}" is not an event signature ${example}`);
  }
  if (event.anonymous) throw new UsageError(`--event "${signature}": an anonymous event has no topic0 to match`);
  if (event.inputs.filter((i) => i.indexed).length > 3)
    throw new UsageError(`--event "${signature}": an event has at most 3 indexed parameters`);
  return event;
}

/**
 * One topic of a log filter: a 0x hex word (left-padded to 32 bytes), or a value of the indexed
 * parameter's own type (an address, a decimal integer; a bytesN of exactly N bytes) ABI-encoded as the
 * topic the event carries for it.
 */
export function parseTopic(raw: string, position: 1 | 2 | 3, event: AbiEvent, signature: string): Hex {
  const flag = `--topic${position}`;
  const indexed = event.inputs.filter((i) => i.indexed);
  const param: AbiParameter | undefined = indexed[position - 1];
  if (!param) {
    throw new UsageError(
      `${flag}: --event "${signature}" has ${indexed.length} indexed parameter(s), so no topic ${position}` +
        ` (mark the indexed ones, e.g. "Transfer(address indexed,address indexed,uint256)")`,
    );
  }
  const encode = (value: unknown): Hex => {
    try {
      return encodeAbiParameters([{ type: param.type }], [value]);
    } catch (error) {
      throw new UsageError(
        `${flag}: cannot encode "${raw}" as ${param.type}: ${(error as Error).message.split("\n")[0]}`,
      );
    }
  };
  const integer = /^u?int\d*$/.test(param.type);
  if (/^0x[0-9a-fA-F]+$/.test(raw)) {
    if (raw.length > 66) throw new UsageError(`${flag} must be at most 32 bytes of hex, got "${raw}"`);
    const bytes = /^bytes(\d+)$/.exec(param.type);
    if (param.type === "address" && raw.length === 42) return encode(parseAddress(raw, flag));
    if (bytes && raw.length === 2 + 2 * Number(bytes[1])) return encode(raw);
    return pad(raw as Hex, { size: 32 });
  }
  if (integer && /^-?\d+$/.test(raw)) return encode(BigInt(raw));
  const kinds = param.type === "address" ? " or an address" : integer ? " or a decimal integer" : "";
  throw new UsageError(
    `${flag} must be a 0x hex word${kinds} for indexed parameter ${position} (${param.type}), got "${raw}"`,
  );
}

/** How many upcoming runs a CRON schedule is shown with. */
const TICKS_SHOWN = 3;

/** A --cron expression checked the way the registry will parse it; refused by flag, with the position. */
export function checkCron(expression: string | undefined, flag: string): CronSpec {
  if (expression === undefined) throw new UsageError(`${flag} needs a cron expression like "*/15 * * * *"`);
  try {
    return parseCron(expression);
  } catch (error) {
    if (error instanceof CronError) throw new UsageError(`${flag} "${expression}": ${error.message}`);
    throw error;
  }
}

/** A CRON schedule's next runs after `after`, one ISO UTC time a line; refused when it never fires. */
function upcoming(cron: CronSpec, expression: string, after: bigint, flag: string): string {
  const ticks = nextTicks(cron, after, TICKS_SHOWN);
  if (ticks.length === 0)
    throw new UsageError(`${flag} "${expression}" never fires (no run within 8 years of ${iso(after)})`);
  return ticks.map((t) => `  ${iso(t)}`).join("\n");
}

const iso = (unixSeconds: bigint) => new Date(Number(unixSeconds) * 1000).toISOString().replace(".000Z", "Z");

/** The log filter of --on-log / --chainlink-log: the emitter, the event's topic0, and any --topic1..3. */
function logFilter(o: Map<string, string[]>, emitterFlag: "on-log" | "emitter", trigger: string): LogFilter {
  const one = (name: string) => o.get(name)?.[0];
  if (one(emitterFlag) === undefined) throw new UsageError(`${trigger} needs --${emitterFlag} <address>`);
  const emitter = parseAddress(one(emitterFlag), `--${emitterFlag}`);
  const signature = one("event");
  const event = parseEvent(signature, trigger);
  const filter: LogFilter = { emitter, topic0: toEventSelector(event) };
  for (const position of [1, 2, 3] as const) {
    const raw = one(`topic${position}`);
    if (raw !== undefined) filter[`topic${position}`] = parseTopic(raw, position, event, signature!);
  }
  return filter;
}

/** The --target actions (each with --call [--args] or --data, and --value) in order. */
function actionsFrom(o: Map<string, string[]>, kind: string): Action[] {
  const targets = o.get("target") ?? [];
  if (targets.length === 0)
    throw new UsageError(`a ${kind} workflow needs at least one --target with --call or --data`);
  const calls = o.get("call") ?? [];
  const datas = o.get("data") ?? [];
  const argLists = o.get("args") ?? [];
  const values = o.get("value") ?? [];
  if (calls.length + datas.length !== targets.length)
    throw new UsageError("give one --call or --data for each --target");
  let c = 0;
  let d = 0;
  return targets.map((target, i) => {
    let data: Hex;
    if (c < calls.length) {
      data = encodeCall(calls[c]!, argLists[c]);
      c += 1;
    } else {
      const raw = datas[d]!;
      if (!isHex(raw)) throw new UsageError(`--data must be 0x-prefixed hex, got "${raw}"`);
      data = raw;
      d += 1;
    }
    return {
      target: parseAddress(target, "--target"),
      value: values[i] === undefined ? 0n : parseAmount(values[i], "--value"),
      data,
    };
  });
}

export function buildSpec(o: Map<string, string[]>): {
  spec: WorkflowSpec;
  fund: bigint;
  cron?: { spec: CronSpec; expression: string };
} {
  const one = (name: string) => o.get(name)?.[0];
  const limits = {
    gasLimit: Number(parseUint(one("gas-limit"), "--gas-limit", 200_000n)),
    maxFeePerRun: one("max-fee") === undefined ? parseEther("0.01") : parseAmount(one("max-fee"), "--max-fee"),
    startTime: parseUint(one("start"), "--start", 0n),
    maxRuns: parseUint(one("max-runs"), "--max-runs", 0n),
    endTime: parseUint(one("end"), "--end", 0n),
  };
  const fund = one("fund") === undefined ? 0n : parseAmount(one("fund"), "--fund");
  const minInterval = parseUint(one("min-interval"), "--min-interval", 0n);
  const kinds = ["every", "chainlink", "gelato", "on-log", "chainlink-log", "cron"].filter((k) => o.has(k));
  if (kinds.length !== 1)
    throw new UsageError(
      "give exactly one trigger: --every, --chainlink, --gelato, --on-log, --chainlink-log or --cron",
    );
  const checkData = (): Hex => {
    const raw = one("check-data") ?? "0x";
    if (!isHex(raw)) throw new UsageError("--check-data must be 0x-prefixed hex");
    return raw;
  };
  if (o.has("chainlink")) {
    return {
      spec: chainlinkSpec(parseAddress(one("chainlink"), "--chainlink"), {
        ...limits,
        checkData: checkData(),
        minInterval,
      }),
      fund,
    };
  }
  if (o.has("gelato")) {
    const value = one("value") === undefined ? 0n : parseAmount(one("value"), "--value");
    return {
      spec: gelatoSpec(parseAddress(one("gelato"), "--gelato"), parseAddress(one("target"), "--target"), {
        ...limits,
        value,
        minInterval,
      }),
      fund,
    };
  }
  if (o.has("chainlink-log")) {
    const upkeep = parseAddress(one("chainlink-log"), "--chainlink-log");
    if (o.has("target"))
      throw new UsageError("--chainlink-log runs performUpkeep on the upkeep; it takes no --target actions");
    const filter = logFilter(o, "emitter", "--chainlink-log");
    return { spec: chainlinkLogSpec(upkeep, filter, { ...limits, checkData: checkData() }), fund };
  }
  if (o.has("cron")) {
    const expression = one("cron")!;
    const cron = checkCron(expression, "--cron");
    upcoming(cron, expression, BigInt(Math.floor(Date.now() / 1000)), "--cron"); // refuses one that never fires
    return { spec: cronSpec(expression, actionsFrom(o, "CRON"), limits), fund, cron: { spec: cron, expression } };
  }
  if (o.has("on-log")) {
    const filter = logFilter(o, "on-log", "--on-log");
    return { spec: logSpec(filter, actionsFrom(o, "LOG"), limits), fund };
  }
  return { spec: timeSpec(actionsFrom(o, "TIME"), parseUint(one("every"), "--every"), limits), fund };
}

runMain(async () => {
  const { chain, rest: argv } = chainArg(process.argv.slice(2));
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "help") {
    console.log(USAGE);
    return;
  }
  if (!HELP[command]) throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  if (rest.includes("--help")) {
    console.log(HELP[command]);
    return;
  }
  if (command === "cron") {
    const [first, ...more] = rest;
    const expression = first?.startsWith("--") ? undefined : first;
    const o = options(expression === undefined ? rest : more);
    const cron = checkCron(expression, "cron");
    const after = parseUint(o.get("after")?.[0], "--after", BigInt(Math.floor(Date.now() / 1000)));
    console.log(
      `cron "${expression}" (UTC), next runs after ${iso(after)}:\n${upcoming(cron, expression!, after, "cron")}`,
    );
    return;
  }

  const env = parseEnv({ OWNER_PRIVATE_KEY: privateKey.optional(), PONDER_URL: url.default("http://127.0.0.1:42069") });
  if (command === "status") {
    const json = rest.includes("--json");
    const args = rest.filter((a) => a !== "--json");
    const id = parseId(args[0]);
    if (args.length > 1) throw new UsageError(`unexpected arguments\n${HELP.status}`);
    // With several chains indexed, the API asks for the chain when the id is on more than one.
    const query = chain === undefined ? "" : `?chainId=${chain}`;
    const workflow = await apiGet<WorkflowAnswer>(env.PONDER_URL, `/api/workflows/${id}${query}`);
    if (json) {
      console.log(JSON.stringify(workflow, null, 2));
      return;
    }
    const runs = await apiGet<{ items: RunAnswer[] }>(
      env.PONDER_URL,
      `/api/workflows/${id}/executions?chainId=${workflow.chainId}&limit=5`,
    );
    console.log(statusSummary(workflow, runs.items, BigInt(Math.floor(Date.now() / 1000))));
    return;
  }

  if (isSubscriptionCommand(command)) {
    const takes = command === "subscriptions" ? 0 : 2;
    if (rest.length !== takes) throw new UsageError(`${command} takes ${takes} argument(s)\n${HELP[command]}`);
    const workflowId = takes ? parseId(rest[0]) : undefined;
    const problem = takes ? urlProblem(rest[1]!, true) : undefined;
    if (problem) throw new UsageError(problem);
    // Signed here, checked by the API: no RPC is needed, and the dev key serves the dev chain only.
    const network = oneNetwork(networksFromEnv(), chain);
    const key = env.OWNER_PRIVATE_KEY ?? (network.chainId === 31337 ? DEV_KEYS.owner : undefined);
    if (!key) throw new ConfigError(`OWNER_PRIVATE_KEY: required on chain ${network.chainId}`);
    const account = privateKeyToAccount(key);
    console.log(
      await runSubscriptionCommand(
        command,
        { workflowId, url: rest[1] },
        { ponderUrl: env.PONDER_URL, network, account },
      ),
    );
    return;
  }

  // Everything is parsed and checked before connecting or sending.
  const registerOptions = command === "register" ? options(rest) : undefined;
  const registering = registerOptions ? buildSpec(registerOptions) : undefined;
  const id = command === "register" ? undefined : parseId(rest[0]);
  const amount =
    command === "fund" || command === "withdraw" || command === "max-fee" ? parseAmount(rest[1], "amount") : undefined;
  if (!registering && rest.length > (amount === undefined ? 1 : 2))
    throw new UsageError(`unexpected arguments\n${HELP[command]}`);

  const network = oneNetwork(networksFromEnv(), chain);
  const client = await publicClientFor(network.rpcUrl);
  const key = env.OWNER_PRIVATE_KEY ?? (client.chain.id === 31337 ? DEV_KEYS.owner : undefined);
  if (!key) throw new ConfigError(`OWNER_PRIVATE_KEY: required on chain ${client.chain.id}`);
  const wallet = walletFor(client, key);
  const account = wallet.account;
  // Simulate first, so a revert (not the owner, wrong status…) is reported by name before sending.
  const mined = async (hash: Hex) => {
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return receipt;
  };

  const registry = { address: network.registry, abi: workflowRegistryAbi, account } as const;
  const escrow = { address: network.feeEscrow, abi: feeEscrowAbi, account } as const;

  if (registering) {
    const missing = await withoutCode(client, contractsOf(registering.spec));
    const noCode = (m: SpecAddress) => `${m.flag} ${m.address} has no contract code on chain ${client.chain.id}`;
    if (missing.length > 0 && !registerOptions?.has("force")) {
      throw new Error(
        `${missing.map(noCode).join("; ")} (an account, or a contract on another chain?): nothing sent; ` +
          "--force registers it anyway",
      );
    }
    for (const m of missing) console.error(`warning: ${noCode(m)}; registering anyway (--force)`);
    for (const warning of await runWarnings(client, network.registry, registering.spec)) {
      console.error(`warning: ${warning}`);
    }
    const { request } = await client.simulateContract({
      ...registry,
      functionName: "register",
      args: [registering.spec],
      value: registering.fund,
    });
    const gas = withRegisterHeadroom(await client.estimateContractGas(request));
    const receipt = await mined(await wallet.writeContract({ ...request, gas }));
    // The id from this transaction's own event: workflowCount would name whoever registered last in the block.
    const { id, nextExecutionAt } = registeredEvent(receipt, network.registry).args;
    console.log(`registered workflow ${id} in ${receipt.transactionHash}`);
    // Said only when PONDER_URL names an API: with none set, no explorer may be running at all.
    await nameCalls(env.PONDER_URL, registerOptions?.get("call") ?? [], process.env.PONDER_URL !== undefined);
    if (registering.cron) {
      // The registry's first run, then the schedule's own next ones after it.
      const { spec: cron, expression } = registering.cron;
      const ticks = [nextExecutionAt, ...nextTicks(cron, nextExecutionAt, TICKS_SHOWN - 1)];
      console.log(`cron "${expression}" (UTC), next runs:\n${ticks.map((t) => `  ${iso(t)}`).join("\n")}`);
    }
    if (registering.fund === 0n) {
      console.error(
        `warning: workflow ${id} has no funds: it will not run until funded (npm run workflow -- fund ${id} <ether>)`,
      );
    }
  } else if (command === "fund" && id !== undefined && amount !== undefined) {
    const { request } = await client.simulateContract({
      ...escrow,
      functionName: "deposit",
      args: [id],
      value: amount,
    });
    console.log(
      `deposited into workflow ${id} in ${(await mined(await wallet.writeContract(request))).transactionHash}`,
    );
  } else if (command === "withdraw" && id !== undefined && amount !== undefined) {
    const { request } = await client.simulateContract({ ...escrow, functionName: "withdraw", args: [id, amount] });
    console.log(
      `withdrew from workflow ${id} in ${(await mined(await wallet.writeContract(request))).transactionHash}`,
    );
  } else if (command === "max-fee" && id !== undefined && amount !== undefined) {
    const current = await client.readContract({ ...registry, functionName: "getWorkflow", args: [id] });
    const spec = { ...current[5], maxFeePerRun: amount };
    const { request } = await client.simulateContract({ ...registry, functionName: "update", args: [id, spec] });
    const hash = (await mined(await wallet.writeContract(request))).transactionHash;
    console.log(`workflow ${id} now pays at most ${rest[1]} ether a run, in ${hash}`);
  } else if ((command === "pause" || command === "resume" || command === "cancel") && id !== undefined) {
    const { request } = await client.simulateContract({ ...registry, functionName: command, args: [id] });
    const done = { pause: "paused", resume: "resumed", cancel: "cancelled" }[command];
    console.log(`${done} workflow ${id} in ${(await mined(await wallet.writeContract(request))).transactionHash}`);
  }
});
