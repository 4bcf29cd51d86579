/**
 * The embed's message API, version 1: what a host page and an embedded Heapscope (embed.html in an iframe) say to
 * each other. The README's "Embed Heapscope in your docs" lists every message; this module is its definition.
 *
 * Handshake. The embed posts `hello` to its parent once it has loaded, addressed to each origin of its allowlist in
 * turn (postMessage's exact target origin: a parent of another origin never receives it). The host answers with
 * `connect`, addressed to the embed's exact origin, carrying one end of a MessageChannel. The embed accepts it only
 * from its parent window, from an origin on its allowlist (the `origins` parameter the embedder sets; without it,
 * the embed's own origin), in exactly this shape. From then on everything travels over the channel's port, which
 * only that host holds: commands from the host (each may carry an `id`, echoed in its `reply`) and events from the
 * embed. A message of the wrong shape or from a window or origin not allowed is ignored — counted in the state's
 * `ignored`, never executed.
 *
 * Every message is a plain object with `heapscope: 1` (the protocol version) and a `type`. Shapes are checked with
 * zod, strictly: unknown fields make a message invalid.
 */
import { z } from '../../shared/zod';

export const PROTOCOL_VERSION = 1;
const v = z.literal(PROTOCOL_VERSION);
const id = z.union([z.string().max(100), z.number().int()]).optional();
const LESSON_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** host → embed, on the window, with a MessagePort */
export const ConnectSchema = z.object({ heapscope: v, type: z.literal('connect') }).strict();

/** host → embed, on the port */
export const CommandSchema = z.discriminatedUnion('type', [
  z.object({ heapscope: v, type: z.literal('load'), id, lesson: z.string().max(60).regex(LESSON_ID).optional(), scenario: z.string().max(200_000).optional(), name: z.string().max(100).optional() }).strict()
    .refine((m) => (m.lesson === undefined) !== (m.scenario === undefined), { message: 'load takes a lesson or a scenario' }),
  z.object({ heapscope: v, type: z.literal('step'), id }).strict(),
  z.object({ heapscope: v, type: z.literal('back'), id }).strict(),
  z.object({ heapscope: v, type: z.literal('seek'), id, to: z.number().int().min(-1).max(100_000) }).strict(),
  z.object({ heapscope: v, type: z.literal('answer'), id, choice: z.number().int().min(0).max(20) }).strict(),
  z.object({ heapscope: v, type: z.literal('get-state'), id }).strict(),
  z.object({ heapscope: v, type: z.literal('reset'), id }).strict(),
]);
export type Command = z.infer<typeof CommandSchema>;

/** What the embed shows, as `get-state` replies and `step` events carry it. */
export interface EmbedState {
  kind: 'lesson' | 'scenario' | 'none';
  /** the lesson's title, or the scenario's name */
  title: string;
  /** a lesson: the step shown (-1 the introduction, `of` the summary); a scenario: the next queued step to run */
  position: number;
  of: number;
  /** a lesson's phase: intro, pending (waits for an answer, a task or "next"), shown, summary */
  phase: string | null;
  /** the current step of the timeline (its node id; null: the start) and how many steps lead to it */
  head: number | null;
  steps: number;
  /** the virtual clock, ms */
  clock: number;
  sessions: { name: string; pid: number | null; status: string; waiting: boolean }[];
  answers: { step: number; choice: number; right: boolean }[];
  /** messages ignored so far: from a window or origin not allowed, or of the wrong shape */
  ignored: { origin: number; shape: number };
  /** the engine's phase: starting, ready, busy, recovering, failed */
  engine: string;
}

/** embed → host, on the port (and `hello` on the window) */
export type EmbedEvent =
  | { heapscope: 1; type: 'hello' }
  | { heapscope: 1; type: 'ready'; state: EmbedState; views: string[] }
  | { heapscope: 1; type: 'step'; state: EmbedState }
  | { heapscope: 1; type: 'answered'; step: number; choice: number; right: boolean }
  | { heapscope: 1; type: 'error'; message: string; id?: string | number }
  | { heapscope: 1; type: 'resize'; height: number }
  | { heapscope: 1; type: 'reply'; id?: string | number; ok: true; state: EmbedState }
  | { heapscope: 1; type: 'reply'; id?: string | number; ok: false; error: string };

/** An origin as the allowlist takes it: scheme, host and port exactly as the browser reports it. */
export function parseOrigin(s: string): string | null {
  try {
    const u = new URL(s);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
    return u.origin === s.replace(/\/$/, '') ? u.origin : null;
  } catch { return null; }
}

/** The allowlist from the `origins` parameter (comma- or space-separated); without one, only `own`. */
export function allowlist(param: string | null, own: string): Set<string> {
  if (!param) return new Set([own]);
  const out = new Set<string>();
  for (const part of param.split(/[\s,]+/)) { const o = part && parseOrigin(part); if (o) out.add(o); }
  return out;
}
