/**
 * The timeline's nodes: a Map extended in place, seen through a new view object after every change.
 *
 * The store's state must change identity when the timeline changes (selectors compare with ===), but copying a Map
 * of 50,000 nodes for every step made each step cost as much as the timeline is long — a 10,000-step lesson spent
 * most of its time copying. A view is O(1) to make: `with` writes into the shared Map and returns a new view.
 * Only the newest view is current; nodes themselves are never changed, only replaced by new node objects.
 */
import type { LogEntry, StepMark, StepResult } from '../shared/api';

/** `result` is kept for steps run here or jumped to; `mark` (failed / waits / ok) is known for every replayed step. */
export interface TimelineNode {
  id: number; parent: number | null; entry: LogEntry; result: StepResult | null; mark: StepMark | null;
  /** the scenario or lesson step this node carries out (store/script.ts) */
  step?: number;
}

export class Nodes implements ReadonlyMap<number, TimelineNode> {
  private constructor(private readonly m: Map<number, TimelineNode>) {}
  /** a new, empty timeline (never shared: views of one timeline share its Map) */
  static empty(): Nodes { return new Nodes(new Map()); }
  static of(nodes: Iterable<TimelineNode>): Nodes { return new Nodes(new Map([...nodes].map((n) => [n.id, n]))); }
  /** the timeline with these nodes added or replaced (in the order they were first added) */
  with(...nodes: TimelineNode[]): Nodes {
    for (const n of nodes) this.m.set(n.id, n);
    return new Nodes(this.m);
  }
  get(id: number) { return this.m.get(id); }
  has(id: number) { return this.m.has(id); }
  get size() { return this.m.size; }
  keys() { return this.m.keys(); }
  values() { return this.m.values(); }
  entries() { return this.m.entries(); }
  forEach(f: (value: TimelineNode, key: number, map: ReadonlyMap<number, TimelineNode>) => void) { this.m.forEach((v, k) => f(v, k, this)); }
  [Symbol.iterator]() { return this.m[Symbol.iterator](); }
}

export function pathTo(nodes: ReadonlyMap<number, TimelineNode>, id: number | null): TimelineNode[] {
  const out: TimelineNode[] = [];
  for (let n = id === null ? undefined : nodes.get(id); n; n = n.parent === null ? undefined : nodes.get(n.parent)) {
    out.push(n);
    // parents are made before their children, so this cannot loop; if it ever did, say so rather than hang
    if (out.length > nodes.size) throw new Error(`the timeline has a cycle at step ${n.id}`);
  }
  return out.reverse();
}
