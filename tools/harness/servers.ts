/**
 * Private Redis and Postgres servers for fault tests: each on a free port with a data dir of its own,
 * so a test can kill, restart or cut them off without touching the machine's shared servers (which
 * other work relies on and which must never be stopped or flushed).
 *
 * Both run as our own child processes (postgres directly, not daemonized by pg_ctl) so that
 * `killWithParent` takes them down if the test process dies before `stop()`.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import { killWithParent, stopChild } from "../processes.js";
import { freePort } from "./ports.js";
import { sleep } from "./wait.js";

const POSTGRES_BIN = process.env.POSTGRES_BIN_DIR ?? "/usr/lib/postgresql/15/bin";

/** A child process with its exit as a promise and the tail of its output for error messages. */
interface Supervised {
  child: ChildProcess;
  exited: Promise<void>;
  alive(): boolean;
  output(): string;
}

function supervise(command: string, args: string[], options: { cwd: string; uid?: number; gid?: number }): Supervised {
  const child = killWithParent(spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] }));
  // Read the pipes even though we rarely look: a server blocks once a full pipe stops taking its logs.
  let output = "";
  const onData = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", (error) => {
      output += `\n${String(error)}`;
      resolve();
    });
  });
  return {
    child,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null && child.pid !== undefined,
    output: () => output,
  };
}

/** Sends `signal` and waits for the exit; escalates to SIGKILL if it has not come after `graceMs`. */
async function terminate(server: Supervised | undefined, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (server?.alive()) await stopChild(server.child, signal, graceMs);
}

async function pollUntil(what: string, server: Supervised, timeoutMs: number, probe: () => Promise<boolean>) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!server.alive()) throw new Error(`${what}: the server exited:\n${server.output().slice(-3000)}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${what}: not up after ${timeoutMs} ms:\n${server.output().slice(-3000)}`);
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------------------------- Redis

export interface RedisServer {
  /** What a client is given: with `secure`, rediss:// to the TLS port, with the ACL user and its password. */
  url: string;
  port: number;
  /** With `secure`: the CA that signed the server's certificate (for NODE_EXTRA_CA_CERTS). */
  caFile?: string;
  /** Whether it keeps an append-only file (and so survives a kill with what it acknowledged). */
  readonly aof: boolean;
  /**
   * Turns the append-only file on or off while it runs (CONFIG SET, waiting for the rewrite to finish),
   * and for every later start: one server can then be killed both ways in one test.
   */
  setAof(on: boolean): Promise<void>;
  /** SIGKILL, as a crash: with AOF it keeps every acknowledged write, without it loses everything. */
  kill(): Promise<void>;
  /** (Re)starts on the same port and data dir; resolves when PING answers (after any AOF replay). */
  start(): Promise<void>;
  /** Graceful shutdown, then removes the data dir. */
  stop(): Promise<void>;
}

/** The ACL user of a `secure` server; its password has the characters a URL must percent-encode. */
const SECURE_USER = { name: "autokeeper", password: "p@ss:w/rd%1" };

/**
 * PING over a raw socket (the plain port; AUTH first on a `secure` server): a Redis still replaying its
 * AOF answers -LOADING, which is not up yet.
 */
function redisPing(port: number, secure: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () =>
      socket.write(`${secure ? `AUTH ${SECURE_USER.name} ${SECURE_USER.password}\r\n` : ""}PING\r\n`),
    );
    // One reply per command sent: AUTH's (+OK or an error), then PING's.
    const replies = secure ? 2 : 1;
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      const lines = reply.split("\r\n").slice(0, -1);
      if (lines.length >= replies) done(lines[replies - 1] === "+PONG");
    });
  });
}

/**
 * A CA, a certificate for 127.0.0.1 signed by it, and an ACL file with the default user off: the shape
 * of a managed Redis (TLS, a named user, a password).
 */
function secureFiles(dir: string): string[] {
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  const days = ["-days", "2"];
  ssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    ...days,
    "-subj",
    "/CN=test CA",
  );
  ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(join(dir, "san.cnf"), "subjectAltName=IP:127.0.0.1\n");
  const ca = ["-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial"];
  ssl("x509", "-req", "-in", "server.csr", ...ca, "-out", "server.crt", ...days, "-extfile", "san.cnf");
  writeFileSync(
    join(dir, "users.acl"),
    `user default off\nuser ${SECURE_USER.name} on >${SECURE_USER.password} ~* &* +@all\n`,
  );
  return [
    ...["--tls-cert-file", "server.crt", "--tls-key-file", "server.key", "--tls-ca-cert-file", "ca.crt"],
    ...["--tls-auth-clients", "no", "--aclfile", join(dir, "users.acl")],
  ];
}

/**
 * `secure`: clients reach it over TLS on a port of its own, as an ACL user with a password (the default
 * user is off); the plain port stays for the harness's own checks, which authenticate too.
 */
export async function startRedisServer(
  options: { aof?: boolean; secure?: boolean; cluster?: boolean } = {},
): Promise<RedisServer> {
  let aof = options.aof ?? false;
  const secure = options.secure ?? false;
  const port = await freePort();
  const tlsPort = secure ? await freePort() : undefined;
  const dir = mkdtempSync(join(tmpdir(), "autokeeper-redis-"));
  const base = [
    ...["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--logfile", ""],
    ...(tlsPort === undefined ? [] : ["--tls-port", String(tlsPort), ...secureFiles(dir)]),
    // A cluster node keeps its identity and slots in nodes.conf (in its dir): restarted, it rejoins as itself.
    ...(options.cluster ? ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"] : []),
    ...(options.cluster ? ["--cluster-node-timeout", "2000"] : []),
  ];
  // fsync on every write: a SIGKILL then loses nothing that a client saw acknowledged.
  const args = () => [...base, ...(aof ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"])];

  let server: Supervised | undefined;
  async function start(): Promise<void> {
    if (!server?.alive()) server = supervise("redis-server", args(), { cwd: dir });
    await pollUntil(`redis on port ${port}`, server, 15_000, () => redisPing(port, secure));
  }
  await start().catch(async (error) => {
    await terminate(server, "SIGKILL", 0);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });

  const auth = secure ? ["--user", SECURE_USER.name, "--pass", SECURE_USER.password, "--no-auth-warning"] : [];
  const cli = (...command: string[]) =>
    promisify(execFile)("redis-cli", ["-p", String(port), ...auth, ...command]).then((r) => r.stdout.trim());

  return {
    url:
      tlsPort === undefined
        ? `redis://127.0.0.1:${port}`
        : `rediss://${SECURE_USER.name}:${encodeURIComponent(SECURE_USER.password)}@127.0.0.1:${tlsPort}`,
    caFile: secure ? join(dir, "ca.crt") : undefined,
    port,
    get aof() {
      return aof;
    },
    setAof: async (on) => {
      if (on) await cli("CONFIG", "SET", "appendfsync", "always");
      await cli("CONFIG", "SET", "appendonly", on ? "yes" : "no");
      // Turning it on writes the whole dataset to a new file in the background; a kill before that ends
      // would find no file to load.
      const deadline = Date.now() + 15_000;
      while (on && /aof_rewrite_in_progress:1|aof_rewrite_scheduled:1/.test(await cli("INFO", "persistence"))) {
        if (Date.now() > deadline) throw new Error(`redis on port ${port}: the AOF rewrite did not finish`);
        await sleep(50);
      }
      aof = on;
    },
    start,
    kill: () => terminate(server, "SIGKILL", 0),
    stop: async () => {
      await terminate(server, "SIGTERM", 5_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisCluster {
  nodes: RedisServer[];
  /** REDIS_CLUSTER_NODES for them. */
  nodeUrls: string[];
  /** The master serving `key`'s hash slot. */
  masterOf(key: string): Promise<RedisServer>;
  /** Until every node says cluster_state:ok (after a create or a master's restart). */
  waitUntilOk(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** `masters` nodes, no replicas, the slots split between them by `redis-cli --cluster create`. */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  const run = (...args: string[]) => promisify(execFile)("redis-cli", args).then((r) => r.stdout.trim());
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    for (let i = 0; i < masters; i++) nodes.push(await startRedisServer({ cluster: true }));
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await run("--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes");
  } catch (error) {
    await stop();
    throw error;
  }
  const waitUntilOk = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(nodes.map((n) => run("-p", String(n.port), "CLUSTER", "INFO").catch(() => "")));
      if (states.every((s) => s.includes("cluster_state:ok"))) return;
      if (Date.now() > deadline) throw new Error(`redis cluster not ok in ${timeoutMs} ms`);
      await sleep(200);
    }
  };
  await waitUntilOk().catch(async (error) => {
    await stop();
    throw error;
  });
  return {
    nodes,
    nodeUrls: nodes.map((n) => n.url),
    waitUntilOk,
    masterOf: async (key) => {
      const port = nodes[0]!.port;
      const slot = Number(await run("-p", String(port), "CLUSTER", "KEYSLOT", key));
      // CLUSTER NODES: "<id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slot ranges…>".
      for (const line of (await run("-p", String(port), "CLUSTER", "NODES")).split("\n")) {
        const fields = line.split(" ");
        const owner = Number(fields[1]?.split("@")[0]?.split(":")[1]);
        const serves = fields.slice(8).some((range) => {
          const [start, end] = range.split("-").map(Number);
          return start !== undefined && start <= slot && slot <= (end ?? start);
        });
        const node = nodes.find((n) => n.port === owner);
        if (serves && node && fields[2]?.includes("master")) return node;
      }
      throw new Error(`no master found for slot ${slot}`);
    },
    stop,
  };
}

// ------------------------------------------------------------------------------------------- Postgres

export interface PostgresServer {
  /** Admin URL: postgres://postgres@127.0.0.1:<port>/postgres (trust auth, no password). */
  url: string;
  port: number;
  /** Stops (fast: clean shutdown with checkpoint; immediate: crash, recovery on start) and starts again. */
  restart(mode?: "fast" | "immediate"): Promise<void>;
  /** Immediate shutdown (as a crash): connections drop, the port refuses until `start()`. */
  kill(): Promise<void>;
  /** Starts on the same port and data dir; resolves when it accepts connections (after any recovery). */
  start(): Promise<void>;
  /** Stops it and deletes the data dir; safe to call in afterAll whatever state the test left it in. */
  stop(): Promise<void>;
}

/** Postgres refuses to run as root: as root, run its binaries as the `postgres` OS user. */
function postgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

async function postgresAnswers(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/**
 * initdb plus first start takes 2-2.5 s on a 2-core machine (initdb --no-sync alone ~1.7 s); a restart
 * 0.1-0.2 s. The postmaster is our child, so the shutdown modes are its signals (SIGINT fast, SIGQUIT
 * immediate), the ones `pg_ctl stop -m` sends; pg_ctl itself would daemonize it out of our reach.
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const port = await freePort();
  const user = postgresUser();
  const root = mkdtempSync(join(tmpdir(), "autokeeper-pg-"));
  if (user.uid !== undefined && user.gid !== undefined) chownSync(root, user.uid, user.gid);
  const data = join(root, "data");
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  // retries: backends of a postmaster that had to be SIGKILLed may still be writing for a moment
  const remove = () => rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });

  try {
    // async: a test's other children (anvil, Ponder) keep being served while initdb runs
    await promisify(execFile)(
      join(POSTGRES_BIN, "initdb"),
      ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
      { ...user, cwd: root },
    );
  } catch (error) {
    remove();
    throw new Error(`initdb failed: ${error instanceof Error ? error.message : String(error)}`);
  }

  // The socket goes in our temp dir so it never collides with the shared server's in /var/run/postgresql.
  // fsync off: a test cluster need not survive a power cut, only a process crash.
  const args = [
    "-D",
    data,
    "-p",
    String(port),
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    `unix_socket_directories=${root}`,
    "-c",
    "fsync=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "shared_buffers=16MB",
    "-c",
    "max_connections=100",
  ];

  let server: Supervised | undefined;
  async function start(): Promise<void> {
    if (!server?.alive()) server = supervise(join(POSTGRES_BIN, "postgres"), args, { ...user, cwd: root });
    await pollUntil(`postgres on port ${port}`, server, 30_000, () => postgresAnswers(url));
  }
  const shutdown = (mode: "fast" | "immediate") => terminate(server, mode === "fast" ? "SIGINT" : "SIGQUIT", 15_000);

  await start().catch(async (error) => {
    await terminate(server, "SIGKILL", 0);
    remove();
    throw error;
  });

  return {
    url,
    port,
    restart: async (mode = "fast") => {
      await shutdown(mode);
      await start();
    },
    kill: () => shutdown("immediate"),
    start,
    stop: async () => {
      // fast terminates client sessions (an indexer still connected cannot hold it up); SIGKILL after 15 s
      await shutdown("fast").catch(() => {});
      remove();
    },
  };
}
