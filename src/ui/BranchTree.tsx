/**
 * The timeline's branches drawn as a tree: the line through the current step (and the steps ahead of it) runs along
 * the top, each branch is a lane of its own that leaves its parent at the step where it diverges — a dot on the
 * parent's lane — and ends at its newest step. Steps go left to right by their number (the depth in the tree), so
 * where two branches part is where their lanes part. Clicking a branch's end (or Enter on it) goes to that step.
 * New lanes grow in with a d3 transition (none with prefers-reduced-motion).
 */
import { useEffect, useRef } from 'react';
import { scaleLinear, select } from 'd3';
import type { TimelineNode } from '../store/workspace';
import { drawIn } from './motion';

interface Lane {
  /** the lane's first step (the branch's first), its newest step, how many steps it has */
  first: TimelineNode; tip: TimelineNode; length: number;
  /** the lane it leaves and the depth (step number) of the step it leaves from: 0 = the start */
  parent: number; forkDepth: number;
}

const MAX_LANES = 24;
const newest = (l: TimelineNode[] | undefined) => (l && l.length ? l[l.length - 1]! : undefined);

/** Lay out the branches: lane 0 is `line` (the path to the current step and on ahead), every other child starts a lane. */
export function branchLanes(line: readonly TimelineNode[], kids: ReadonlyMap<number | null, TimelineNode[]>): { lanes: Lane[]; more: number } {
  if (!line.length) return { lanes: [], more: 0 };
  const lanes: Lane[] = [{ first: line[0]!, tip: line[line.length - 1]!, length: line.length, parent: -1, forkDepth: 0 }];
  let more = 0;
  // the branches leaving one lane's steps: (lane index, the lane's steps in order, the depth of its first step)
  const queue: { lane: number; steps: () => Iterable<TimelineNode>; next: (n: TimelineNode, i: number) => number | undefined; startDepth: number }[] = [];
  const onLine = new Set(line.map((n) => n.id));
  const startBranch = (child: TimelineNode, parentLane: number, forkDepth: number) => {
    if (lanes.length >= MAX_LANES) { more++; return; }
    const steps: TimelineNode[] = [child];
    for (let n = newest(kids.get(child.id)); n && steps.length < 100_000; n = newest(kids.get(n.id))) steps.push(n);
    lanes.push({ first: child, tip: steps[steps.length - 1]!, length: steps.length, parent: parentLane, forkDepth });
    const me = lanes.length - 1;
    queue.push({ lane: me, steps: () => steps, next: (_n, i) => steps[i + 1]?.id, startDepth: forkDepth + 1 });
  };
  // children of the start that are not the line's first step
  for (const c of kids.get(null) ?? []) if (c.id !== line[0]!.id) startBranch(c, 0, 0);
  queue.unshift({ lane: 0, steps: () => line, next: (_n, i) => line[i + 1]?.id, startDepth: 1 });
  for (let qi = 0; qi < queue.length; qi++) {
    const q = queue[qi]!;
    let i = 0;
    for (const n of q.steps()) {
      const cont = q.next(n, i);
      for (const c of kids.get(n.id) ?? []) if (c.id !== cont && !(q.lane === 0 && onLine.has(c.id))) startBranch(c, q.lane, q.startDepth + i);
      i++;
    }
  }
  return { lanes, more };
}

export function BranchTree({ line, head, pathLength, kids, describe, jumpTo }: {
  line: readonly TimelineNode[]; head: number | null; pathLength: number; kids: ReadonlyMap<number | null, TimelineNode[]>;
  describe(n: TimelineNode): string; jumpTo(id: number): void;
}) {
  const { lanes, more } = branchLanes(line, kids);
  const svg = useRef<SVGSVGElement>(null);
  const seen = useRef<Set<number> | null>(null);
  const sig = lanes.map((l) => l.first.id).join(',');
  // a new branch's lane draws itself from its fork point outward (d3 transition of the dash offset)
  useEffect(() => {
    // the branches there when the timeline opened are just there; one made later grows in
    if (!seen.current) { seen.current = new Set(lanes.map((l) => l.first.id)); return; }
    const known = seen.current;
    const el = svg.current;
    if (!el) return;
    select(el).selectAll<SVGPathElement, unknown>('.lane:not(.main) path.lane-path').each(function () {
      const id = Number(this.dataset.first);
      if (known.has(id)) return;
      known.add(id);
      drawIn(this);
    });
  }, [sig]); // eslint-disable-line react-hooks/exhaustive-deps
  if (lanes.length < 2) return null;
  // a column of labels on the left (one per lane, as a git history view has), the tree on the right
  const W = 290, LABEL = 122, ROW = 18, TOP = 10;
  const maxDepth = Math.max(1, ...lanes.map((l) => l.forkDepth + l.length));
  const x = scaleLinear().domain([0, maxDepth]).range([LABEL + 8, W - 8]);
  const y = (lane: number) => TOP + lane * ROW;
  const H = TOP + (lanes.length - 1) * ROW + 10;
  const short = (t: string) => (t.length > 19 ? `${t.slice(0, 18)}…` : t);
  return (
    <figure className="branch-tree" data-testid="branch-tree" aria-label="branches as a tree">
      <svg ref={svg} viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={`${lanes.length - 1} branch${lanes.length === 2 ? '' : 'es'} leaving the current line`}>
        {lanes.map((l, i) => {
          const x0 = x(l.forkDepth), x1 = x(l.forkDepth + 1), x2 = x(l.forkDepth + l.length);
          const main = i === 0;
          const d = main ? `M${x(0)},${y(0)} L${x2},${y(0)}` : `M${x0},${y(l.parent)} C${x0 + 8},${y(i)} ${x0 + 8},${y(i)} ${Math.max(x1, x0 + 10)},${y(i)} L${Math.max(x2, x0 + 12)},${y(i)}`;
          const label = main ? 'current line' : `↳ ${describe(l.first)}`;
          const title = main ? `the line through the current step: ${l.length} step${l.length === 1 ? '' : 's'}${line.length > pathLength ? ` (${line.length - pathLength} ahead of the current one)` : ''}`
            : `a branch leaving ${l.forkDepth ? `step ${l.forkDepth}` : 'the start'}: ${describe(l.first)}${l.length > 1 ? ` … ${describe(l.tip)} (${l.length} steps)` : ''} — click to go to its last step`;
          return (
            <g key={l.first.id} className={`lane${main ? ' main' : ''}`} data-testid="branch-lane" data-fork-step={main ? undefined : l.forkDepth}>
              <path className="lane-path" data-first={l.first.id} d={d}><title>{title}</title></path>
              {!main && <circle className="fork" cx={x0} cy={y(l.parent)} r={3.2}><title>{`diverges after ${l.forkDepth ? `step ${l.forkDepth}` : 'the start'}`}</title></circle>}
              <text className="lane-label" x={2} y={y(i) + 3.5} onClick={main ? undefined : () => jumpTo(l.tip.id)}>{short(label)}<title>{title}</title></text>
              {!main && (
                <g className="tip" role="button" tabIndex={0} aria-label={`go to this branch's last step: ${describe(l.tip)}`} data-testid="branch-tree-tip"
                  onClick={() => jumpTo(l.tip.id)} onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); jumpTo(l.tip.id); } }}>
                  <circle cx={Math.max(x2, x0 + 12)} cy={y(i)} r={5}><title>{title}</title></circle>
                </g>
              )}
            </g>
          );
        })}
        {/* the part of the line ahead of the current step, and the current step */}
        {line.length > pathLength && <path className="lane-ahead" d={`M${x(pathLength)},${y(0)} L${x(line.length)},${y(0)}`} />}
        <circle className="head" cx={x(head === null ? 0 : pathLength)} cy={y(0)} r={5} data-testid="branch-tree-head"><title>{head === null ? 'the start (current)' : `step ${pathLength}: the current step`}</title></circle>
      </svg>
      <figcaption className="muted">Branches as a tree: steps left to right; a lane leaves its parent at the dot where it diverges; the ring is the current step. Click a lane's end to go there.{more ? ` (${more} more branch${more === 1 ? '' : 'es'} not drawn)` : ''}</figcaption>
    </figure>
  );
}
