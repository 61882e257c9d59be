import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Who may talk to the browser edition. It listens on 127.0.0.1 only, but any web page the user
 * visits can still send requests there; so every call needs the session token printed at start,
 * foreign Origins are refused (cross-site requests), and so are foreign Host headers (DNS
 * rebinding: a hostile domain re-pointed at 127.0.0.1 would otherwise count as same-origin).
 */

/** A fresh random session token (32 bytes, URL-safe). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison; hashing first makes the lengths equal without leaking them. */
export function tokenMatches(given: string | undefined | null, expected: string): boolean {
  if (!given) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token of a request: `Authorization: Bearer …`, or `?token=` where headers cannot be set (EventSource). */
export function requestToken(req: IncomingMessage, url: URL, allowQuery: boolean): string | undefined {
  const header = req.headers.authorization;
  const bearer = header && /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (bearer) return bearer;
  return allowQuery ? (url.searchParams.get('token') ?? undefined) : undefined;
}

export class LocalOrigin {
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;

  constructor(port: number) {
    this.hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    this.origins = new Set([...this.hosts].map((h) => `http://${h}`));
  }

  hostAllowed(host: string | undefined): boolean {
    return host !== undefined && this.hosts.has(host.toLowerCase());
  }

  /** Requests without an Origin (navigation, same-origin GETs, curl) pass; the token still guards the API. */
  originAllowed(origin: string | undefined): boolean {
    return origin === undefined || this.origins.has(origin.toLowerCase());
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase());
}
