// The Pages workflow publishes what `make site` builds (the folder the site test serves under a
// sub-path), with its build tools from scripts/setup.sh and every action pinned to a commit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

const workflow = await readFile('.github/workflows/pages.yml', 'utf8');

test('the Pages workflow builds with make site and publishes site/', () => {
  const runs = [...workflow.matchAll(/^\s*run: (.+)$/gm)].map((m) => m[1].trim());
  assert.deepEqual(runs, ['scripts/setup.sh --site', 'make site']);
  assert.match(workflow, /upload-pages-artifact@[0-9a-f]{40}[^\n]*\n\s*with:\n\s*path: site\n/);
  assert.match(workflow, /branches: \[main\]/);
});

test('every action is pinned to a full commit', () => {
  const uses = [...workflow.matchAll(/uses: (\S+)/g)].map((m) => m[1]);
  assert.ok(uses.length >= 4, uses.join(' '));
  for (const action of uses) assert.match(action, /^actions\/[a-z-]+@[0-9a-f]{40}$/, action);
});
