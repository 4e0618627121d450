/**
 * npm run workflow -- <command> [options]   (--help on any command)
 * A CLI for workflow owners: register, fund, withdraw, max-fee, pause, resume, cancel, status, and alert
 * subscriptions (subscribe, unsubscribe, subscriptions).
 * Everything is checked before a transaction is sent: addresses, amounts, function signatures.
 */
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { feeEscrowAbi, workflowRegistryAbi } from "../abis/index.js";
import { nextTicks } from "../lib/cron.js";
import { ConfigError, parseEnv, privateKey, runMain, url } from "../lib/env.js";
import { chainArg, networksFromEnv, oneNetwork } from "../lib/network.js";
import { urlProblem } from "../lib/subscriptions.js";
import { DEV_KEYS } from "../tools/accounts.js";
import { publicClientFor, walletFor } from "../tools/clients.js";
import { registeredEvent, withRegisterHeadroom } from "../tools/registered.js";
import { apiGet } from "./api.js";
import { contractsOf, runWarnings, type SpecAddress, withoutCode } from "./register-preflight.js";
import {
  buildSpec,
  checkCron,
  iso,
  options,
  parseAmount,
  parseId,
  parseUint,
  TICKS_SHOWN,
  UsageError,
  upcoming,
} from "./workflow-spec.js";
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
