/**
 * Children we spawn (anvil, Ponder, executors) must not outlive us: if this process ends before it
 * stopped them properly (a test runner tearing a worker down, an uncaught error), they are killed.
 */
import type { ChildProcess } from "node:child_process";

const children = new Set<ChildProcess>();
let installed = false;

export function killWithParent(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  if (!installed) {
    installed = true;
    process.once("exit", () => {
      for (const c of children) c.kill("SIGKILL");
    });
  }
  return child;
}

/**
 * Stops a child the way every tool here does: `signal` first (SIGINT lets Ponder release its schema
 * lock; SIGTERM for servers), then SIGKILL if it is still there after `graceMs`. Resolves once it exited.
 */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs = 15_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
