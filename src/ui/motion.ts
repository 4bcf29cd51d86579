/**
 * How long a change animates: the given duration, or 0 when the reader asked the system for less motion
 * (prefers-reduced-motion: reduce) — then d3 transitions jump straight to their end and CSS ones are off (styles.css).
 */
export function reducedMotion(): boolean {
  return typeof matchMedia !== 'undefined' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}
export const motionMs = (ms: number): number => (reducedMotion() ? 0 : ms);
