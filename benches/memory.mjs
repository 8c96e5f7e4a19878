// `node benches/memory.mjs`: how much memory the playground holds, per Chromium process (from
// /proc: the resident set, and in brackets its proportional share, which splits the pages of
// Chromium's own code among the processes that map them): right after Adult loads, and at its
// peak while a Compare race trains on a 1M-row file (MovieLens-shaped, from `widedeep generate`).
// `WORKERS=1` races in one worker. Measures only; asserts nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, openPage } from '../tests/page/harness.mjs';

const ROWS = 1_000_000;

/** Resident memory in MB of every Chromium process, by its `--type` (the browser itself has none). */
function chromium() {
  const processes = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // Chromium rewrites its command line into one string: find the flags in it.
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!/chrom/.test(command.split(' ')[0])) continue;
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(rollup)?.[1] ?? 0) / 1024;
      const type = /--type=(\S+)/.exec(command)?.[1] ?? 'browser';
      processes.push({ pid, type, rss: field('Rss'), pss: field('Pss') });
    } catch {
      // The process ended while being read.
    }
  }
  return processes;
}

const show = (label, processes) => {
  const rows = processes.filter((p) => p.rss > 20).sort((a, b) => b.rss - a.rss);
  console.log(`${label}: ${rows.map((p) => `${p.type} ${p.rss.toFixed(0)} MB (${p.pss.toFixed(0)})`).join(', ')}`);
};

/** The 1M-row file, written once by the CLI into the system's temporary folder. */
function bigFile() {
  const path = join(tmpdir(), `widedeep-memory-${ROWS}.csv`);
  if (!existsSync(path)) {
    const target = process.env.CARGO_TARGET_DIR ?? join(process.env.HOME, '.cache/widedeep/target');
    execFileSync('cargo', ['build', '--release', '--quiet', '--bin', 'widedeep'], { stdio: 'inherit' });
    execFileSync(join(target, 'release/widedeep'), ['generate', 'movielens', '--rows', String(ROWS), '--out', path], { stdio: 'inherit' });
  }
  return path;
}

const env = await start();
try {
  const { page } = await openPage(env, `/#backend=cpu&workers=${process.env.WORKERS ?? 0}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  await page.waitForTimeout(2000);
  show('after Adult loads', chromium());
  const file = bigFile();
  await page.setInputFiles('#file', file);
  await page.waitForFunction(() => /1,000,000 rows/.test(document.querySelector('#data-summary').textContent), null, { timeout: 600_000 });
  show('after the 1M-row file loads', chromium());
  await page.selectOption('#label', 'liked');
  await page.fill('#epochs', '1');
  await page.dispatchEvent('#epochs', 'change');
  await page.click('#compare');
  const peak = new Map();
  while (!/^Done|Cannot|error/i.test(await page.$eval('#status', (s) => s.textContent))) {
    for (const p of chromium()) peak.set(p.pid, { ...p, rss: Math.max(p.rss, peak.get(p.pid)?.rss ?? 0), pss: Math.max(p.pss, peak.get(p.pid)?.pss ?? 0) });
    await page.waitForTimeout(500);
  }
  console.log(`status: ${await page.$eval('#status', (s) => s.textContent)}`);
  show(`peak while a Compare race trains on it (${await page.$eval('body', (b) => b.dataset.workers)} workers)`, [...peak.values()]);
} finally {
  await env.close();
}
