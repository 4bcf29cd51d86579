/** The light / dark / system toggle (theme.ts). */
import { useState } from 'react';
import { setTheme, themeChoice, type ThemeChoice } from './theme';

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'dark', dark: 'light', light: 'system' };
const WORDS: Record<ThemeChoice, string> = { system: 'theme: system', dark: 'theme: dark', light: 'theme: light' };

export function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>(themeChoice);
  return (
    <button onClick={() => { const n = NEXT[choice]; setTheme(n); setChoice(n); }} data-testid="theme-toggle" aria-label={`colour theme (now ${choice}); click for ${NEXT[choice]}`} title="light, dark, or as the system prefers">
      {WORDS[choice]}
    </button>
  );
}
