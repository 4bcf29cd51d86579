/**
 * Narration, rendered from Markdown safely: Markdown → mdast (mdast-util-from-markdown, GFM) → hast
 * (mdast-util-to-hast, which drops raw HTML: it is never parsed as HTML) → hast-util-sanitize (GitHub's schema:
 * no script, no event handlers, no style, only http(s)/mailto/look: links) → React elements (hast-util-to-jsx-runtime).
 * Nothing here sets innerHTML. The lesson parser refuses raw HTML already; this is the second wall, for any text.
 *
 * `look:` links (lessons/README.md, "Pointing at the views") become buttons that point at something in the views.
 * Other links open in a new tab (no referrer); images are not loaded (the app makes no request of its own accord),
 * their alt text is shown.
 */
import { Fragment, jsx, jsxs } from 'react/jsx-runtime';
import { useMemo, type ReactNode } from 'react';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfm } from 'micromark-extension-gfm';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { toHast } from 'mdast-util-to-hast';
import { sanitize, defaultSchema, type Schema } from 'hast-util-sanitize';
import { toJsxRuntime } from 'hast-util-to-jsx-runtime';
import type { Root } from 'hast';
import { parseLook, type Look } from '../look';

export type { Look };

export const SCHEMA: Schema = {
  ...defaultSchema,
  protocols: { ...defaultSchema.protocols, href: ['http', 'https', 'mailto', 'look'] },
  // task-list checkboxes are not needed, and nothing in narration submits anything
  tagNames: (defaultSchema.tagNames ?? []).filter((t) => t !== 'input'),
};

/** Markdown → a sanitised hast tree (exported for the tests). */
export function markdownToHast(md: string): Root {
  const mdast = fromMarkdown(md, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  return sanitize(toHast(mdast), SCHEMA) as Root;
}

interface Props { text: string; onLook?(look: Look): void; className?: string }

export function Markdown({ text, onLook, className }: Props) {
  const tree = useMemo(() => markdownToHast(text), [text]);
  const components = useMemo(() => ({
    a: ({ href, children }: { href?: string; children?: ReactNode }) => {
      if (typeof href !== 'string') return <span>{children}</span>; // a link the sanitiser disarmed
      if (href.startsWith('look:')) {
        const look = parseLook(href.slice(5));
        if (!look) return <span>{children}</span>;
        return <button type="button" className="look-link" data-look={look.raw} title="show it in the views" onClick={() => onLook?.(look)}>{children}</button>;
      }
      if (href.startsWith('#')) return <a href={href}>{children}</a>;
      return <a href={href} target="_blank" rel="noopener noreferrer">{children}</a>;
    },
    img: ({ alt }: { alt?: string }) => <span className="img-alt">[image{alt ? `: ${alt}` : ''}]</span>,
  }), [onLook]);
  return <div className={className ?? 'markdown'}>{toJsxRuntime(tree, { Fragment, jsx, jsxs, components, ignoreInvalidStyle: true }) as ReactNode}</div>;
}
