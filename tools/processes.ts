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
