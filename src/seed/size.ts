/** "100k", "1M", "10M" or a plain number, as a count. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (!match) throw new Error(`not a size: "${text}" (use e.g. 100k, 1M or 250000)`);
  const factor = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[match[2] as '' | 'k' | 'K' | 'm' | 'M'];
  return Math.round(Number(match[1]) * factor);
}
