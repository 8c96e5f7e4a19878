// A static file server for the playground: `/` is www/, `/pkg/` the wasm package, `/data/` the
// bundled data. Loopback only, correct MIME types (application/wasm), no caching surprises.
// Usage: node scripts/serve.mjs [port]   (port 0 picks a free one; the chosen URL is printed)
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const mounts = [['/pkg/', join(root, 'pkg')], ['/data/', join(root, 'data')], ['/', join(root, 'www')]];
const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};

/**
 * Maps a URL path to a file inside one of the mounts: `null` for anything that escapes its mount
 * (`/data/../www-secret` is not inside `/data/`), `undefined` for a path that is not valid URL
 * encoding (a bad request).
 */
export function locate(urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return undefined;
  }
  for (const [prefix, dir] of mounts) {
    if (!path.startsWith(prefix)) continue;
    const file = normalize(join(dir, path.slice(prefix.length) || 'index.html'));
    return file === dir || file.startsWith(dir + sep) ? file : null;
  }
  return null;
}

export function serve(port = 8080) {
  const server = createServer(async (req, res) => {
    let file = locate(req.url);
    if (file === undefined) {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      return res.end('bad request: the path is not valid URL encoding');
    }
    try {
      if (file && (await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await serve(Number(process.argv[2] ?? 8080));
  console.log(`serving the playground on http://127.0.0.1:${server.address().port}/`);
}
