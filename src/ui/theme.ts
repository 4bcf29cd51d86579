/**
 * Light or dark: the system's preference (prefers-color-scheme) unless the learner chose one with the toggle, which
 * is remembered in localStorage. The choice is html[data-theme]; styles.css has the colours, the Monaco editor
 * follows (vs / vs-dark) through the 'heapscope-theme' event.
 *
 * An embed (embed.html) does not follow the full app's remembered choice: its host page says which theme it gets
 * (the `theme` parameter: light, the default, so a light docs page is not given a dark box by the reader's system;
 * dark; or auto, the system's preference) and fixEmbedTheme pins it.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'heapscope.theme';
/** set by an embed: its host's choice, never the full app's stored one */
let fixed: ThemeChoice | null = null;

/** embed.html's `theme` parameter (light | dark | auto; anything else is light) as a choice */
export function embedTheme(param: string | null): ThemeChoice {
  const v = (param ?? '').trim().toLowerCase();
  return v === 'dark' ? 'dark' : v === 'auto' || v === 'system' ? 'system' : 'light';
}
export function fixEmbedTheme(choice: ThemeChoice) {
  fixed = choice;
  applyTheme(choice);
}

export function themeChoice(): ThemeChoice {
  if (fixed) return fixed;
  try { const v = localStorage.getItem(KEY); return v === 'light' || v === 'dark' ? v : 'system'; } catch { return 'system'; }
}
export function isDark(choice: ThemeChoice = themeChoice()): boolean {
  return choice === 'dark' || (choice === 'system' && typeof matchMedia !== 'undefined' && matchMedia('(prefers-color-scheme: dark)').matches);
}
export function applyTheme(choice: ThemeChoice = themeChoice()) {
  if (typeof document === 'undefined') return;
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  window.dispatchEvent(new CustomEvent('heapscope-theme', { detail: isDark(choice) }));
}
export function setTheme(choice: ThemeChoice) {
  try { if (choice === 'system') localStorage.removeItem(KEY); else localStorage.setItem(KEY, choice); } catch { /* not remembered */ }
  applyTheme(choice);
}
