import type { DestinationStream } from 'pino';

/** What every line has, shown in its prefix rather than as a key=value. */
const SHOWN = new Set(['level', 'time', 'name', 'worker', 'pid', 'hostname', 'msg', 'err']);

const value = (v: unknown) => (typeof v === 'string' && !/[\s"=]/.test(v) ? v : JSON.stringify(v));

/**
 * A readable line for development: `12:00:00.123 INFO  [hxg worker 1] message key=value …`, and an error's
 * type, code, message and stack below it. Production writes pino's JSON lines instead.
 */
export function formatLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const level = String(entry.level ?? '')
    .toUpperCase()
    .padEnd(5);
  const who =
    entry.worker === undefined ? String(entry.name ?? 'hxg') : `${String(entry.name)} worker ${String(entry.worker)}`;
  const fields = Object.entries(entry)
    .filter(([key]) => !SHOWN.has(key))
    .map(([key, v]) => `${key}=${value(v)}`);
  let text = [`${time} ${level} [${who}] ${String(entry.msg ?? '')}`, ...fields].join(' ');
  const err = entry.err as { type?: string; code?: string; message?: string; stack?: string } | undefined;
  if (err && typeof err === 'object') {
    const code = err.code ? ` ${err.code}` : '';
    const frames = err.stack?.split('\n').filter((l) => l.trim().startsWith('at ')) ?? [];
    text += `\n  ${err.type ?? 'Error'}${code}: ${err.message ?? ''}${frames.map((f) => `\n  ${f.trim()}`).join('')}`;
  }
  return `${text}\n`;
}

/** A pino destination that writes `formatLine`'s lines to `out` (stdout). */
export function compactFormat(out: NodeJS.WritableStream = process.stdout): DestinationStream {
  return { write: (line: string) => void out.write(formatLine(line)) };
}
