/**
 * CI check for docker-compose.yml (no Docker engine runs here): it parses, and it names the postgres,
 * redis and anvil services with the ports and settings the app's defaults expect.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

interface Service {
  image?: string;
  ports?: string[];
  environment?: Record<string, string>;
}

const file = new URL("../docker-compose.yml", import.meta.url);
const compose = parse(readFileSync(file, "utf8")) as { services?: Record<string, Service> };
const services = compose.services ?? {};
const problems: string[] = [];
const expect = (name: string, port: string) => {
  const s = services[name];
  if (!s) return problems.push(`service ${name} is missing`);
  if (!s.image) problems.push(`service ${name} has no image`);
  if (!s.ports?.some((p) => p.endsWith(`:${port}`))) problems.push(`service ${name} does not publish port ${port}`);
};
expect("postgres", "5432");
expect("redis", "6379");
expect("anvil", "8545");
if (services.postgres?.environment?.POSTGRES_USER !== "postgres")
  problems.push("postgres must create the user postgres");
if (problems.length > 0) {
  console.error(`docker-compose.yml: ${problems.join("; ")}`);
  process.exit(1);
}
console.log(`docker-compose.yml parses; services: ${Object.keys(services).join(", ")}`);
