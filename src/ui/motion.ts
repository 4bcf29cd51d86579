/**
 * Changes that move: d3 transitions where something changes in a view — a tuple version appears, an xmax is
 * stamped, a line pointer redirects, the WAL's insert and flush pointers move. React renders what is; these hooks
 * animate the way there, on the elements React made, without React owning the animated attribute (so a re-render
 * never fights a running transition).
 *
 * When the reader asked the system for less motion (prefers-reduced-motion: reduce) every duration is 0: d3 jumps
 * straight to the end state and styles.css turns CSS transitions off.
 */
import { useLayoutEffect, useRef } from 'react';
import { select } from 'd3';
// d3-transition adds .transition() and .interrupt() to selections as a side effect of being loaded; imported through
// 'd3' alone the bundler drops it when nothing names its exports
import 'd3-transition';

export function reducedMotion(): boolean {
  return typeof matchMedia !== 'undefined' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}
export const motionMs = (ms: number): number => (reducedMotion() ? 0 : ms);

/**
 * An attribute that moves to its new value: the element gets `value` at once on first render, then every change
 * transitions from where it is. Returns the ref to put on the element.
 */
export function useMovingAttr<T extends Element>(attr: string, value: string, ms = 500) {
  const ref = useRef<T>(null);
  const prev = useRef<string | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const d = motionMs(ms);
    if (prev.current === null || !d) select(el).interrupt().attr(attr, value);
    else if (prev.current !== value) select(el).transition().duration(d).attr(attr, value);
    prev.current = value;
  }, [attr, value, ms]);
  return ref;
}

/** A brief highlight of an element: its background flashes the highlight colour and fades back (a value changed). */
export function flash(el: Element | null, ms = 1100) {
  const d = motionMs(ms);
  if (!el || !d) return;
  const hl = getComputedStyle(document.documentElement).getPropertyValue('--hl').trim() || '#fff1b8';
  select(el).interrupt().style('background-color', hl).style('box-shadow', `0 0 0 2px ${hl}`)
    .transition().duration(d).style('background-color', null).style('box-shadow', null);
}

/** An element that has just appeared grows in from faint and small. */
export function appear(el: HTMLElement | SVGElement | null, ms = 500) {
  const d = motionMs(ms);
  if (!el || !d) return;
  select(el).interrupt().style('opacity', '0.1').style('transform', 'scale(0.85)')
    .transition().duration(d).style('opacity', null).style('transform', null);
}

/** A path that has just appeared draws itself from its start. */
export function drawIn(el: SVGPathElement | null, ms = 600) {
  const d = motionMs(ms);
  if (!el || !d || !el.getTotalLength) return;
  const len = el.getTotalLength();
  select(el).interrupt().attr('stroke-dasharray', `${len} ${len}`).attr('stroke-dashoffset', len)
    .transition().duration(d).attr('stroke-dashoffset', 0)
    .on('end', function () { select(this).attr('stroke-dasharray', null).attr('stroke-dashoffset', null); });
}
