/**
 * Each configured chain's head, asked of its RPC, beside how far the index has got (Ponder's checkpoint):
 * /api/chains and the explorer's home page. An RPC that does not answer gives a null head and why, in
 * words of our own: viem's messages name the URL, and an RPC URL often carries an API key.
 */
import { networks } from "./chain.js";
import { indexedBlocks } from "./queries.js";
import { rpcClient, rpcProblem } from "./rpc.js";

/**
 * A head is asked at most once a second per chain, however many ask us: the endpoint is the operator's
 * (often metered), and a page or a monitor polling us must not turn into a request to it each time.
 */
const HEAD_TTL_MS = 1_000;

export interface ChainStatus {
  /** The chain's id; also as chainId, the field every object the API answers names its chain by. */
  id: number;
  chainId: number;
  name: string;
  headBlock: bigint | null;
  indexedBlock: bigint | null;
  /** Blocks the index is behind the head; null when either is unknown. */
  lag: number | null;
  /** Why the head is unknown (null when it is known). */
  error: string | null;
}

type Head = { block: bigint; error: null } | { block: null; error: string };

const heads = new Map<number, { at: number; head: Promise<Head> }>();

function ask(chainId: number): Promise<Head> {
  const client = rpcClient(chainId);
  const asked: Promise<Head> = client
    ? client.getBlockNumber({ cacheTime: 0 }).then(
        (block): Head => ({ block, error: null }),
        (error: unknown): Head => ({ block: null, error: rpcProblem(error, "eth_blockNumber") }),
      )
    : Promise.resolve({ block: null, error: "no RPC configured" });
  heads.set(chainId, { at: Date.now(), head: asked });
  return asked;
}

/** The head, from the last second's answer unless the index is already past it. */
async function head(chainId: number, indexed: bigint | null): Promise<Head> {
  const cached = heads.get(chainId);
  if (cached && Date.now() - cached.at < HEAD_TTL_MS) {
    const h = await cached.head;
    if (h.block === null || indexed === null || h.block >= indexed) return h;
  }
  return ask(chainId);
}

/** Every configured chain, in CHAINS order. The index is read first, so a head is never older than it. */
export async function chainsStatus(): Promise<ChainStatus[]> {
  const indexed = await indexedBlocks();
  return Promise.all(
    networks.map(async (n): Promise<ChainStatus> => {
      const indexedBlock = indexed.get(n.chainId) ?? null;
      const h = await head(n.chainId, indexedBlock);
      return {
        id: n.chainId,
        chainId: n.chainId,
        name: n.chainName,
        headBlock: h.block,
        indexedBlock,
        // An endpoint behind the one the indexer last read can show a head below the index: no lag, not a negative one.
        lag: h.block === null || indexedBlock === null ? null : Math.max(0, Number(h.block - indexedBlock)),
        error: h.error,
      };
    }),
  );
}
