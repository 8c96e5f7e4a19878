// The development server: files only from inside its mounts, and a bad URL is a 400, not a crash.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { locate, serve } from '../../scripts/serve.mjs';

let server;
let port;
before(async () => {
  server = await serve(0);
  port = server.address().port;
});
after(() => server.close());

/** A raw GET (no URL normalization by the client), resolving to the status code. */
const get = (path) => new Promise((resolve, reject) => {
  request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject).end();
});

test('paths map inside their mount and nowhere else', () => {
  assert.match(locate('/data/adult.csv'), /data[\\/]adult\.csv$/);
  assert.match(locate('/'), /www[\\/]index\.html$/);
  assert.equal(locate('/data/../README.md'), null, 'climbing out of a mount');
  assert.equal(locate('/data/..%2F..%2Fetc%2Fpasswd'), null, 'encoded climbing');
  assert.equal(locate('/pkg/../pkg-other/x.js'), null, 'a sibling folder whose name starts like the mount');
  assert.equal(locate('/%E0%A4%A'), undefined, 'malformed percent-encoding');
});

test('a malformed URL is answered 400 and the server keeps serving', async () => {
  assert.equal(await get('/%E0%A4%A'), 400);
  assert.equal(await get('/data/..%2F..%2Fetc%2Fpasswd'), 404);
  assert.equal(await get('/index.html'), 200);
});
