/**
 * Light or dark: the system's preference (prefers-color-scheme) unless the learner chose one with the toggle, which
 * is remembered in localStorage. The choice is html[data-theme]; styles.css has the colours, the Monaco editor
 * follows (vs / vs-dark) through the 'heapscope-theme' event.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'heapscope.theme';

export function themeChoice(): ThemeChoice {
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
