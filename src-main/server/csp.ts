/**
 * The Content-Security-Policy of the UI. index.html carries it as a meta tag (so a page opened any
 * way is covered); the browser edition's server and the Electron shell also send it as a header,
 * which adds what a meta tag cannot express (frame-ancestors) and what it forgets. Browsers enforce
 * both, so the header is derived from the meta tag rather than kept as a second copy that could drift.
 */

/** index.html's policy, used when the page has none (a build without the meta tag). */
export const DEFAULT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";

/** Directives only a header can carry, or that index.html leaves to the default. */
const HEADER_DIRECTIVES: readonly [string, string][] = [
  ['object-src', "'none'"],
  ['base-uri', "'self'"],
  ['form-action', "'self'"],
  ['frame-ancestors', "'none'"],
];

/** The policy in a page's `<meta http-equiv="Content-Security-Policy">`, if any. */
export function cspFromHtml(html: string): string | undefined {
  for (const tag of html.match(/<meta\b[^>]*>/gi) ?? []) {
    if (!/http-equiv\s*=\s*["']?content-security-policy/i.test(tag)) continue;
    const content = /content\s*=\s*"([^"]*)"|content\s*=\s*'([^']*)'/i.exec(tag);
    const policy = (content?.[1] ?? content?.[2])?.replace(/\s+/g, ' ').trim();
    if (policy) return policy;
  }
  return undefined;
}

/** The header policy: the page's own policy plus the header-only directives it does not set. */
export function headerCsp(pagePolicy: string = DEFAULT_CSP): string {
  const directives = pagePolicy
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean);
  const named = new Set(directives.map((d) => d.split(/\s+/)[0]?.toLowerCase()));
  for (const [name, value] of HEADER_DIRECTIVES) if (!named.has(name)) directives.push(`${name} ${value}`);
  return directives.join('; ');
}
