import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import path from 'node:path';

/**
 * A copy of what a deployment runs, in `dir`: the build (`dist/`), `package.json`, and a `node_modules` holding
 * the production dependency tree only (`npm ls --omit=dev`), linked to the installed packages; `copied`
 * packages are copied instead of linked, so that their files live in `dir` itself.
 */
export function productionTree(dir: string, copied: string[] = []): void {
  cpSync('dist', path.join(dir, 'dist'), { recursive: true });
  cpSync('package.json', path.join(dir, 'package.json'));
  const modules = realpathSync('node_modules');
  // npm ls exits 1 over extraneous packages, and still lists the tree
  const listed = productionPackages();
  const topLevel = new Set<string>();
  for (const location of listed) {
    const relative = path.relative(modules, realpathSync(location));
    const parts = relative.split(path.sep);
    if (relative.startsWith('..') || parts.includes('node_modules')) continue; // the project, or nested in a package
    topLevel.add(relative);
  }
  for (const name of topLevel) {
    const target = path.join(dir, 'node_modules', name);
    mkdirSync(path.dirname(target), { recursive: true });
    if (copied.some((c) => name === c || name.startsWith(`${c}/`))) {
      cpSync(path.join(modules, name), target, { recursive: true, verbatimSymlinks: true });
    } else {
      symlinkSync(path.join(modules, name), target);
    }
  }
}

/** The directories of the packages `npm ci --omit=dev` installs. */
export function productionPackages(): string[] {
  const run = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { encoding: 'utf8' });
  return run.stdout.split('\n').filter(Boolean);
}
