/**
 * Prometheus metrics and the /metrics + /health endpoint. Each chain a process serves has its own
 * registry of autokeeper_* series, every one labelled with the chain; the process's own series are kept
 * once, beside them. /metrics serves them all as one exposition.
 */
import { createServer, type Server } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * The process's own health beside the runs': resident memory, heap, GC pauses and event-loop lag, as
 * the standard process_* and nodejs_* series (what to look at first when runs are late). One process,
 * one set, whatever the chains: no chain label.
 */
export function createProcessRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** One chain's series: `chain="<id>"` on every sample (a default label, so no call site passes it). */
export function createMetrics(chainId: number) {
  const registry = new Registry();
  registry.setDefaultLabels({ chain: String(chainId) });
  const m = {
    registry,
    jobsEnqueued: new Counter({
      name: "autokeeper_jobs_enqueued_total",
      help: "Jobs the scheduler offered to the queue",
      labelNames: ["trigger"],
      registers: [registry],
    }),
    jobsCompleted: new Counter({
      name: "autokeeper_jobs_completed_total",
      help: "Jobs finished, by outcome",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    jobsFailed: new Counter({
      name: "autokeeper_jobs_failed_total",
      help: "Job attempts that failed (retried or dead)",
      labelNames: ["kind"],
      registers: [registry],
    }),
    jobsDead: new Counter({
      name: "autokeeper_jobs_dead_total",
      help: "Jobs that exhausted their attempts",
      registers: [registry],
    }),
    txSent: new Counter({
      name: "autokeeper_tx_sent_total",
      help: "Transactions broadcast",
      labelNames: ["signer"],
      registers: [registry],
    }),
    txMined: new Counter({
      name: "autokeeper_tx_mined_total",
      help: "Transactions mined, by status",
      labelNames: ["status"],
      registers: [registry],
    }),
    txReplaced: new Counter({
      name: "autokeeper_tx_replaced_total",
      help: "Stuck transactions replaced with a higher fee",
      registers: [registry],
    }),
    txReorged: new Counter({
      name: "autokeeper_tx_reorged_total",
      help: "Mined transactions a reorg removed (each is sent again at its nonce)",
      registers: [registry],
    }),
    txLost: new Counter({
      name: "autokeeper_tx_lost_total",
      help: "Broadcast transactions no node knew before they were mined (each is sent again at its nonce)",
      registers: [registry],
    }),
    txGapFilled: new Counter({
      name: "autokeeper_nonce_gaps_filled_total",
      help: "Open nonces nobody held, filled with a 0-value self-transfer",
      registers: [registry],
    }),
    jobsDelayed: new Counter({
      name: "autokeeper_jobs_delayed_total",
      help: "Job tries put back without using an attempt, by why (rpc, fees, signer_funds, ...)",
      labelNames: ["reason"],
      registers: [registry],
    }),
    feeCapExceeded: new Gauge({
      name: "autokeeper_fee_cap_exceeded",
      help: "1 while the base fee is at or above MAX_FEE_GWEI and runs wait for it to fall",
      registers: [registry],
    }),
    runsReoffered: new Counter({
      name: "autokeeper_runs_reoffered_total",
      help: "Completed runs the chain no longer shows (a reorg undid them), offered again",
      labelNames: ["trigger"],
      registers: [registry],
    }),
    rpcErrors: new Counter({
      name: "autokeeper_rpc_errors_total",
      help: "Classified RPC errors",
      labelNames: ["kind"],
      registers: [registry],
    }),
    dueToMined: new Histogram({
      name: "autokeeper_due_to_mined_seconds",
      help: "Lateness by trigger: from when a run became due (TIME/CRON slot, LOG its log's block, CONDITION the block whose check first said yes) to the block that mined it",
      labelNames: ["trigger"],
      buckets: [0, 1, 2, 3, 5, 8, 13, 21, 60, 300],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: "autokeeper_queue_depth",
      help: "Jobs in the queue by state",
      labelNames: ["state"],
      registers: [registry],
    }),
    signerBalance: new Gauge({
      name: "autokeeper_signer_balance_wei",
      help: "Native balance of each signer",
      labelNames: ["signer"],
      registers: [registry],
    }),
    signerOutOfFunds: new Gauge({
      name: "autokeeper_signer_out_of_funds",
      help: "1 while a signer is parked for insufficient funds",
      labelNames: ["signer"],
      registers: [registry],
    }),
    signerEarningsUnclaimed: new Gauge({
      name: "autokeeper_signer_earnings_unclaimed_wei",
      help: "What each signer has earned in the FeeEscrow and not claimed yet",
      labelNames: ["signer"],
      registers: [registry],
    }),
    signerEarningsClaimed: new Counter({
      name: "autokeeper_signer_earnings_claimed_wei_total",
      help: "Earnings each signer claimed from the FeeEscrow (the Claimed events of its own claims)",
      labelNames: ["signer"],
      registers: [registry],
    }),
    workflowsUnderpriced: new Gauge({
      name: "autokeeper_workflows_underpriced",
      help: "Workflows whose fee cap is below what a run costs at the current price: their runs wait",
      registers: [registry],
    }),
    checksRefused: new Counter({
      name: "autokeeper_checks_refused_total",
      help: "Checker answers refused, by why (reverted, gas: over CHECK_GAS_LIMIT or failed, perform_data_too_large)",
      labelNames: ["reason"],
      registers: [registry],
    }),
    indexLag: new Gauge({
      name: "autokeeper_index_lag_blocks",
      help: "Chain head minus the indexed block",
      registers: [registry],
    }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Several registries as one Prometheus text exposition. Every chain's registry has the same families,
 * and a family's HELP and TYPE may appear once, its samples together: prom-client's Registry.merge
 * refuses a name twice, so each family's text (prom-client's own, default labels included) is joined
 * here, the first registry's HELP and TYPE lines heading the samples of all.
 */
export async function metricsText(registries: Registry[]): Promise<string> {
  const families = new Map<string, string[]>();
  for (const registry of registries) {
    for (const { name } of registry.getMetricsAsArray()) {
      const lines = (await registry.getSingleMetricAsString(name)).split("\n");
      const family = families.get(name);
      // HELP and TYPE are the first two lines (prom-client escapes newlines in a help text).
      if (family) family.push(...lines.slice(2));
      else families.set(name, lines);
    }
  }
  return `${[...families.values()].map((lines) => lines.join("\n")).join("\n\n")}\n`;
}

export function serveMetrics(
  registries: () => Registry[],
  port: number,
  health: () => Record<string, unknown>,
): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (req.url === "/metrics") {
      res.setHeader("content-type", Registry.PROMETHEUS_CONTENT_TYPE);
      res.end(await metricsText(registries()));
    } else if (req.url === "/health") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ status: "ok", ...health() }));
    } else {
      res.statusCode = 404;
      res.end("not found");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "0.0.0.0", () => resolve(server));
  });
}
