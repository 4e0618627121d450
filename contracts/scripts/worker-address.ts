/** npm run worker-address — the address WORKER_PRIVATE_KEY signs as (the key itself is never printed). */
import { privateKeyToAccount } from "viem/accounts";
import { parseEnv, privateKey, runMain } from "../../lib/env.js";

runMain(async () => {
  const env = parseEnv({ WORKER_PRIVATE_KEY: privateKey });
  console.log(privateKeyToAccount(env.WORKER_PRIVATE_KEY).address);
});
