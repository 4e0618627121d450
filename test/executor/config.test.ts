/** A bad configuration stops the executor at once with one line naming the variable, never its value. */
import { expect, it } from "vitest";
import { DEV_KEYS } from "../../tools/accounts.js";
import { startAnvil } from "../../tools/anvil.js";
import { base, twoChains } from "../../tools/harness/config-env.js";
import { spawnExecutor } from "../../tools/harness/executor.js";
import { startFaultProxy } from "../../tools/harness/rpc-proxy.js";

// Every variable is checked by loadConfig, tested directly in test/unit/config.test.ts. Here, as the
// process: a bad one stops the executor at once (exit 2) with one line naming it, never its value.
it.concurrent.each([
  [{ BATCH_SIZE: "-5" }, "BATCH_SIZE"],
  [{ REDIS_URL: "https://user:hunter22@redis.example:6380" }, "REDIS_URL"],
  [{ WORKER_PRIVATE_KEYS: `${DEV_KEYS.worker},0x12` }, "WORKER_PRIVATE_KEYS"],
])("refuses %o with one line naming %s", async (env, name) => {
  const ex = spawnExecutor({ ...base, ...env });
  const code = await ex.exited;
  expect(code).toBe(2);
  const lines = ex.output().trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^config error: ${name}(\\[\\d+\\])?: `));
  expect(ex.output().toLowerCase()).not.toContain(DEV_KEYS.worker.slice(2));
  // Never the value either (a URL can carry a password).
  for (const value of Object.values(env).filter((v) => v.length > 3)) expect(ex.output()).not.toContain(value);
});

it.concurrent.each([
  [{ WORKER_KEYSTORE: "/nonexistent/worker.json" }, "WORKER_KEYSTORE_PASSWORD_FILE: required with WORKER_KEYSTORE"],
  [
    { WORKER_KEYSTORE: "/nonexistent/worker.json", WORKER_KEYSTORE_PASSWORD_FILE: "/dev/null" },
    "WORKER_KEYSTORE: cannot read /nonexistent/worker.json (ENOENT)",
  ],
])("refuses a keystore it cannot use, %o, with one line naming the variable and the file", async (env, message) => {
  // The keystore is unlocked after the config is read (ethers loads only then): the same one-line exit.
  const ex = spawnExecutor({ ...base, WORKER_PRIVATE_KEY: "", ...env });
  expect(await ex.exited).toBe(2);
  expect(ex.output().trim()).toBe(`config error: ${message}`);
});

it("refuses an unknown --role", async () => {
  const ex = spawnExecutor(base, ["--role", "boss"]);
  expect(await ex.exited).toBe(2);
  expect(ex.output().trim()).toBe("config error: --role: must be scheduler, worker or all");
});

it("refuses a --chain this deployment does not serve, naming --chain", async () => {
  const [one, two, bad] = [
    spawnExecutor(base, ["--chain", "1287"]),
    spawnExecutor({ ...base, ...twoChains }, ["--chain", "1"]),
    spawnExecutor(base, ["--chain", "mainnet"]),
  ];
  expect(await one.exited).toBe(2);
  expect(one.output().trim()).toBe("config error: --chain: chain 1287 is not one this deployment serves (31337)");
  expect(await two.exited).toBe(2);
  expect(two.output().trim()).toBe("config error: --chain: chain 1 is not one this deployment serves (31337, 31338)");
  expect(await bad.exited).toBe(2);
  expect(bad.output().trim()).toBe("config error: --chain: must be a chain id");
});

it("refuses an RPC endpoint that serves another chain, naming it but never its path (a key may be there)", async () => {
  const right = await startAnvil();
  const wrong = await startAnvil({ chainId: 999 });
  // anvil only answers at "/"; the proxy lets the endpoint carry a provider-style key in its path.
  const keyed = await startFaultProxy(wrong.rpcUrl);
  try {
    const ex = spawnExecutor({ ...base, RPC_URL: "", RPC_URLS: `${right.rpcUrl},${keyed.url}/v2/sEcReTkEy123` });
    expect(await ex.exited).toBe(2);
    expect(ex.output().trim()).toBe(
      `config error: RPC_URLS[1] (http://127.0.0.1:${keyed.port}): serves chain 999, not chain 31337`,
    );
    expect(ex.output()).not.toContain("sEcReTkEy123");
    // Under CHAINS the endpoint is named by its chain's variable, and the chain that did start stops too.
    const chains = spawnExecutor({
      ...base,
      ...twoChains,
      CHAINS: "31337,999",
      RPC_URL_31337: "",
      RPC_URLS_31337: `${keyed.url}/v2/sEcReTkEy123`,
      RPC_URL_999: wrong.rpcUrl,
      REGISTRY_ADDRESS_999: base.REGISTRY_ADDRESS,
      ACTIONEXECUTOR_ADDRESS_999: base.ACTIONEXECUTOR_ADDRESS,
      FEEESCROW_ADDRESS_999: base.FEEESCROW_ADDRESS,
      // Chain 999 may start first: no metrics port nor index to depend on.
      METRICS_PORT: "0",
      PONDER_URL: "http://127.0.0.1:1",
    });
    expect(await chains.exited).toBe(2);
    expect(chains.output().trim().split("\n").at(-1)).toBe(
      `config error: RPC_URL_31337 (http://127.0.0.1:${keyed.port}): serves chain 999, not chain 31337`,
    );
    expect(chains.output()).not.toContain("sEcReTkEy123");
  } finally {
    await keyed.close();
    await wrong.stop();
    await right.stop();
  }
});
