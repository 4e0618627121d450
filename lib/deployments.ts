/** Where a deployment's addresses live: deployments/<chainId>.json, read by every component. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Address } from "viem";

export interface Deployment {
  chainId: number;
  registry: Address;
  actionExecutor: Address;
  feeEscrow: Address;
  forwarderImplementation: Address;
  /** Block of the first deployment transaction: where indexing starts. */
  startBlock: number;
  deployer: Address;
}

// import.meta.url rather than import.meta.dirname: Ponder loads this file through vite-node, which lacks the latter.
// The compiled executor runs this file from dist/lib/ (npm run build), one level deeper than lib/.
const root = import.meta.url.endsWith("/dist/lib/deployments.js") ? "../../" : "../";
export const DEPLOYMENTS_DIR =
  process.env.DEPLOYMENTS_DIR ?? fileURLToPath(new URL(`${root}deployments`, import.meta.url));

export function deploymentPath(chainId: number, dir = DEPLOYMENTS_DIR): string {
  return join(dir, `${chainId}.json`);
}

export function readDeployment(chainId: number, dir = DEPLOYMENTS_DIR): Deployment | undefined {
  const path = deploymentPath(chainId, dir);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, "utf8")) as Deployment;
}

export function writeDeployment(deployment: Deployment, dir = DEPLOYMENTS_DIR): string {
  const path = deploymentPath(deployment.chainId, dir);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(deployment, null, 2)}\n`);
  return path;
}
