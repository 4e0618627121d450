/**
 * An action's calldata named for people: `transfer(address,uint256)` with its arguments, where the
 * function is known. Known are ERC-20, ERC-721 and this project's contracts, and any signature someone
 * told this API (POST /api/signatures; `npm run workflow -- register --call` does it for each call it
 * encodes). A signature proves itself (its selector is its hash), so anyone may add one; the first kept
 * for a selector stays, and the built-in ones come before any added.
 */
import {
  type Abi,
  type AbiFunction,
  decodeFunctionData,
  erc20Abi,
  erc721Abi,
  type Hex,
  parseAbiItem,
  toFunctionSelector,
  toFunctionSignature,
} from "viem";
import * as projectAbis from "../../abis/index.js";
import { StoreUnavailable, store, storeLocation } from "./store.js";

const isFunction = (item: unknown): item is AbiFunction =>
  typeof item === "object" && item !== null && "type" in item && item.type === "function";

const BUILT_IN: ReadonlyMap<string, AbiFunction> = (() => {
  const abis: unknown[] = [erc20Abi, erc721Abi, ...Object.values(projectAbis).filter(Array.isArray)];
  const known = new Map<string, AbiFunction>();
  for (const abi of abis as Abi[]) {
    for (const item of abi) {
      if (isFunction(item) && !known.has(toFunctionSelector(item))) known.set(toFunctionSelector(item), item);
    }
  }
  return known;
})();

const KEY = `${storeLocation.queuePrefix}:signatures`;

/** Added signatures read from Redis, kept a minute (a selector nobody named is asked again after that). */
const added = new Map<string, { fn: AbiFunction | undefined; until: number }>();
const CACHE_MS = 60_000;

export class SignatureError extends Error {}

/** Parses `transfer(address,uint256)` (or `function transfer(address to, uint256)`); throws SignatureError. */
export function parseSignature(raw: string): AbiFunction {
  try {
    const item = parseAbiItem(`function ${raw.trim().replace(/^function\s+/, "")}`);
    if (isFunction(item)) return item;
  } catch {
    // the message below says what is expected
  }
  throw new SignatureError('signature must be a function signature like "transfer(address,uint256)"');
}

/** Keeps a signature for its selector unless one is known already; answers the one kept. */
export async function addSignature(fn: AbiFunction): Promise<{ selector: Hex; signature: string; added: boolean }> {
  const selector = toFunctionSelector(fn);
  const builtIn = BUILT_IN.get(selector);
  if (builtIn) return { selector, signature: toFunctionSignature(builtIn), added: false };
  const signature = toFunctionSignature(fn);
  let fresh: boolean;
  let kept: string;
  try {
    fresh = (await store().hsetnx(KEY, selector, signature)) === 1;
    kept = fresh ? signature : ((await store().hget(KEY, selector)) ?? signature);
  } catch {
    throw new StoreUnavailable("signature store (Redis) unreachable: try again later");
  }
  added.delete(selector);
  return { selector, signature: kept, added: fresh };
}

async function lookup(selector: Hex): Promise<AbiFunction | undefined> {
  const builtIn = BUILT_IN.get(selector);
  if (builtIn) return builtIn;
  const cached = added.get(selector);
  if (cached && cached.until > Date.now()) return cached.fn;
  let fn: AbiFunction | undefined;
  try {
    const signature = await store().hget(KEY, selector);
    fn = signature ? parseSignature(signature) : undefined;
  } catch {
    return undefined; // Redis away: no name this time, asked again next time
  }
  added.set(selector, { fn, until: Date.now() + CACHE_MS });
  return fn;
}

export interface NamedCall {
  /** `transfer(address,uint256)`. */
  signature: string;
  /** The arguments, each as text (numbers in decimal, addresses checksummed). */
  args: string[];
}

/** The call `data` makes, when its function is known and the data decodes as its arguments. */
export async function nameCall(data: Hex): Promise<NamedCall | null> {
  if (data.length < 10) return null;
  const fn = await lookup(data.slice(0, 10).toLowerCase() as Hex);
  if (!fn) return null;
  try {
    const { args } = decodeFunctionData({ abi: [fn], data });
    return { signature: toFunctionSignature(fn), args: (args ?? []).map(text) };
  } catch {
    return null; // the selector matches, the arguments do not: not this function
  }
}

function text(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(text).join(", ")}]`;
  if (typeof value === "object" && value !== null)
    return JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v));
  return String(value);
}
