/**
 * The chain of what a page shows. With one chain configured, nothing changes: no badge, no ?chainId= in
 * links, so pages and their links read as before there were several. With several, every row names its
 * chain and links name it too, since a workflow id alone may be on more than one.
 */
import { chainName, multiChain } from "../chain.js";
import type { ChainStatus } from "../chains-status.js";

const onChain = (chainId: number) => (multiChain ? `?chainId=${chainId}` : "");

export const workflowHref = (chainId: number, id: bigint) => `/workflows/${id}${onChain(chainId)}`;

export const txHref = (chainId: number, hash: string) => `/tx/${hash}${onChain(chainId)}`;

/** A small badge naming the row's chain (its margin, not a space, sets it apart: nothing at all for one chain). */
export function ChainBadge(props: { chainId: number }) {
  if (!multiChain) return null;
  return (
    <span class="badge chain" data-chain={String(props.chainId)} title={`chain id ${props.chainId}`}>
      {chainName(props.chainId)}
    </span>
  );
}

/** `#42`, linked to its page, and its chain when there are several. */
export function WorkflowLink(props: { chainId: number; id: bigint }) {
  return (
    <>
      <a href={workflowHref(props.chainId, props.id)}>#{String(props.id)}</a>
      <ChainBadge chainId={props.chainId} />
    </>
  );
}

/** The chain in a detail card: its name and id, shown whether one chain is configured or several. */
export function ChainName(props: { chainId: number }) {
  return (
    <>
      {chainName(props.chainId)} <span class="muted">(chain id {props.chainId})</span>
    </>
  );
}

/** The home page's chains: each head beside the block indexed; a chain's name filters the page to it. */
export function ChainsTable(props: { chains: ChainStatus[]; selected: number | undefined }) {
  return (
    <table class="chains">
      <thead>
        <tr>
          <th>Chain</th>
          <th>Head</th>
          <th>Indexed</th>
          <th>Lag</th>
        </tr>
      </thead>
      <tbody>
        {props.chains.map((c) => (
          <tr data-chain={String(c.chainId)} class={c.chainId === props.selected ? "selected" : undefined}>
            <td>
              <a href={`/?chainId=${c.chainId}`}>{c.name}</a> <span class="muted">{c.chainId}</span>
            </td>
            <td>{c.headBlock === null ? <span class="muted">unknown: {c.error}</span> : String(c.headBlock)}</td>
            <td>{c.indexedBlock === null ? <span class="muted">not yet</span> : String(c.indexedBlock)}</td>
            <td>{c.lag === null ? "—" : c.lag === 1 ? "1 block" : `${c.lag} blocks`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
