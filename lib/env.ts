/**
 * Environment parsing shared by every entry point: a bad value becomes one line that names the
 * variable (never its value, which may be a key) and a non-zero exit.
 */
import { BaseError, ContractFunctionRevertedError } from "viem";
import { z } from "zod";

export class ConfigError extends Error {
  override name = "ConfigError";
}

export const privateKey = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x followed by 64 hex digits")
  .transform((v) => v as `0x${string}`);

export const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address")
  .transform((v) => v as `0x${string}`);

export const url = z.string().url("must be a URL");

export function parseEnv<T extends z.ZodRawShape>(
  shape: T,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<T>> {
  // Empty strings count as unset, as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = z.object(shape).safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0];
    // RPC_URLS[1], not RPC_URLS.1: the index of the bad entry in a comma-separated list.
    const name =
      issue?.path.map((p, i) => (typeof p === "number" ? `[${p}]` : i > 0 ? `.${String(p)}` : String(p))).join("") ||
      "environment";
    throw new ConfigError(`${name}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}

/** Runs a CLI entry point: config errors and failures print one line and exit non-zero. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof ConfigError) {
        console.error(`config error: ${error.message}`);
        process.exit(2);
      }
      console.error(`error: ${describeError(error)}`);
      process.exit(1);
    },
  );
}

/** One line for a failure: a contract revert by its decoded name and arguments, else the short message. */
export function describeError(error: unknown): string {
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError && reverted.data) {
      const args = (reverted.data.args ?? []).map(String).join(", ");
      return `${error.shortMessage} ${reverted.data.errorName}(${args})`;
    }
    return error.shortMessage;
  }
  return error instanceof Error ? error.message : String(error);
}
