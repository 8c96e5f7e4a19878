// Files written by `widedeep generate` into the system's temporary folder, once: the benchmarks
// share them with `cargo bench --bench figures` (same names, same arguments).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The path of `name` in the temporary folder, written with `widedeep generate ...args` if missing. */
export function generated(name, args) {
  const path = join(tmpdir(), name);
  if (!existsSync(path)) {
    const target = process.env.CARGO_TARGET_DIR ?? join(process.env.HOME, '.cache/widedeep/target');
    execFileSync('cargo', ['build', '--release', '--quiet', '--bin', 'widedeep'], { stdio: 'inherit' });
    execFileSync(join(target, 'release/widedeep'), ['generate', ...args, '--out', path], { stdio: 'inherit' });
  }
  return path;
}

/** The `ids` file for `users` (items: a quarter as many), by default as `figures ids` writes it. */
export function idsFile(users, rows = Math.max(200_000, 2 * users)) {
  const items = String(Math.max(1, Math.floor(users / 4)));
  return generated(`widedeep-ids-${users}-${rows}.csv`, ['ids', '--users', String(users), '--items', items, '--rows', String(rows), '--seed', '1']);
}
