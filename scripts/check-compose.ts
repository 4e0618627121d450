/**
 * CI check for docker-compose.yml and the Dockerfile (no Docker engine runs here): the file parses (merge
 * keys included, as Compose reads them); it names the postgres, redis and anvil services with the ports and
 * settings the app's defaults expect; and the app's roles (deploy, indexer, executor) run from the image
 * the Dockerfile builds, in order, and find each other.
 */
import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";

interface Service {
  image?: string;
  build?: string | { context: string };
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}

const file = new URL("../docker-compose.yml", import.meta.url);
const compose = parse(readFileSync(file, "utf8"), { merge: true }) as { services?: Record<string, Service> };
const services = compose.services ?? {};
const problems: string[] = [];
const expect = (name: string, port?: string) => {
  const s = services[name];
  if (!s) return problems.push(`service ${name} is missing`);
  if (!s.image) problems.push(`service ${name} has no image`);
  if (port && !s.ports?.some((p) => p.endsWith(`:${port}`)))
    problems.push(`service ${name} does not publish port ${port}`);
};
expect("postgres", "5432");
expect("redis", "6379");
expect("anvil", "8545");
if (services.postgres?.environment?.POSTGRES_USER !== "postgres")
  problems.push("postgres must create the user postgres");

// The app: one image, built from the Dockerfile; the command picks the role.
if (!existsSync(new URL("../Dockerfile", import.meta.url))) problems.push("Dockerfile is missing");
expect("deploy");
expect("indexer", "42069");
expect("executor");
for (const name of ["deploy", "indexer", "executor"]) {
  const s = services[name];
  if (!s) continue;
  if (s.build === undefined) problems.push(`service ${name} is not built from the Dockerfile`);
  if (!s.command?.length) problems.push(`service ${name} has no command`);
  for (const v of ["CHAIN", "RPC_URL", "DATABASE_URL", "REDIS_URL", "DEPLOYMENTS_DIR"])
    if (!s.environment?.[v]) problems.push(`service ${name} does not set ${v}`);
}
// Each role runs through scripts/compose.sh, which must run what the Dockerfile's header says it is.
const roles = readFileSync(new URL("./compose.sh", import.meta.url), "utf8");
for (const [name, runs] of [
  ["deploy", "npm run --silent deploy -- --if-missing"],
  ["indexer", "npx ponder start"],
  ["executor", "npm run executor"],
] as const) {
  if (services[name]?.command?.slice(0, 3).join(" ") !== `sh scripts/compose.sh ${name}`)
    problems.push(`${name} must run sh scripts/compose.sh ${name}`);
  if (!roles.includes(runs)) problems.push(`scripts/compose.sh must run ${runs}`);
}
if (!services.executor?.environment?.WORKER_PRIVATE_KEY) problems.push("executor has no WORKER_PRIVATE_KEY");
if (services.executor?.environment?.PONDER_URL !== "http://indexer:42069")
  problems.push("executor's PONDER_URL must name the indexer service");
const after = (name: string, on: string, condition: string) => {
  if (services[name]?.depends_on?.[on]?.condition !== condition)
    problems.push(`${name} must wait for ${on} (${condition})`);
};
after("deploy", "anvil", "service_healthy");
after("indexer", "deploy", "service_completed_successfully");
after("indexer", "postgres", "service_healthy");
after("executor", "indexer", "service_healthy");
after("executor", "redis", "service_healthy");

if (problems.length > 0) {
  console.error(`docker-compose.yml: ${problems.join("; ")}`);
  process.exit(1);
}
console.log(`docker-compose.yml parses; services: ${Object.keys(services).join(", ")}`);
