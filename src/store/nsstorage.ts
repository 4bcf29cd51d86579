/**
 * A storage namespace: a view of localStorage in which every key is kept under a prefix of its own.
 *
 * An embedded Heapscope (embed.html) shares its origin's localStorage with the full app and with every other embed
 * of the same Heapscope on any page. Giving the store a NamespacedStorage instead of localStorage keeps each embed's
 * workspace, lessons and progress apart — the store's own keys and its sweeps of old generations (persist.ts) see
 * only the keys inside the namespace, so an embed can never read, overwrite or sweep away the app's or another
 * embed's. The store needs no change for it: this is a Storage.
 */
export const EMBED_PREFIX = 'heapscope.embed.v1.';

export class NamespacedStorage implements Storage {
  constructor(private readonly inner: Storage, readonly prefix: string) {
    if (!prefix.endsWith('/')) throw new Error('a namespace ends with "/"');
  }
  private own(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.inner.length; i++) {
      const k = this.inner.key(i);
      if (k !== null && k.startsWith(this.prefix)) out.push(k.slice(this.prefix.length));
    }
    return out;
  }
  get length() { return this.own().length; }
  key(i: number) { return this.own()[i] ?? null; }
  getItem(k: string) { return this.inner.getItem(this.prefix + k); }
  setItem(k: string, v: string) { this.inner.setItem(this.prefix + k, v); }
  removeItem(k: string) { this.inner.removeItem(this.prefix + k); }
  clear() { for (const k of this.own()) this.inner.removeItem(this.prefix + k); }
}

/** A short stable hash (FNV-1a, 8 hex digits) for namespace names. */
export function nsHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * The namespace of one embed: the page that embeds it (its origin, when the browser says) and the name the host
 * gives it (the element's id, or its place among the page's embeds). Two embeds on one page, or the same embed on
 * two sites, never share one.
 */
export function embedNamespace(host: string, name: string): string {
  return `${EMBED_PREFIX}${nsHash(`${host}\n${name}`)}/`;
}
