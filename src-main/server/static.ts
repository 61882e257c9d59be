import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { cspFromHtml, headerCsp } from './csp.ts';

/**
 * The built renderer as responses: used by the browser edition's server and by the Electron
 * shell's `pipewright://` protocol, so both send the same files with the same headers.
 */

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface StaticResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The file for a URL path. Paths without a file extension that match no file are the UI's own
 * routes: they get index.html (the renderer routes on the client).
 */
export function staticResponse(root: string, pathname: string): StaticResponse {
  const base = resolve(root);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return text(400, 'Bad request.');
  }
  if (decoded.includes('\0')) return text(400, 'Bad request.');
  const file = resolve(base, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
  if (file !== base && !file.startsWith(base + sep)) return text(404, 'Not found.');
  const isFile = file !== base && existsSync(file) && statSync(file).isFile();
  if (isFile && !file.endsWith('.html')) {
    // Vite puts a content hash in every asset's name: they never change, so they may be cached for good.
    const immutable = file.startsWith(join(base, 'assets') + sep);
    return {
      status: 200,
      headers: {
        'Content-Type': contentType(file),
        'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      },
      body: readFileSync(file),
    };
  }
  if (isFile || extname(decoded) === '' || decoded.endsWith('.html')) {
    const index = isFile ? file : join(base, 'index.html');
    if (!existsSync(index)) {
      return text(503, 'The interface is not built yet. Run "npm run build" (or restart "pipewright serve", which builds it).');
    }
    return html(readFileSync(index, 'utf8'));
  }
  return text(404, 'Not found.');
}

function html(page: string): StaticResponse {
  // Vite builds for Electron with relative asset URLs ("./assets/…"); a base of "/" keeps them
  // resolving when index.html is served for a nested route such as /workflows/abc.
  const withBase = /<base\b/i.test(page) ? page : page.replace(/<head([^>]*)>/i, '<head$1>\n    <base href="/" />');
  return {
    status: 200,
    headers: {
      'Content-Type': TYPES['.html'] as string,
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': headerCsp(cspFromHtml(page)),
    },
    body: Buffer.from(withBase, 'utf8'),
  };
}

function text(status: number, message: string): StaticResponse {
  return { status, headers: { 'Content-Type': TYPES['.txt'] as string, 'Cache-Control': 'no-store' }, body: Buffer.from(message) };
}
