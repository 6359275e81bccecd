/** CircleCI's JSONDuration (`^([0-9]+(ms|s|m|h|d|w)){1,7}$`), parsed to milliseconds and written back as Go does (`1h30m0s`). */
const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
export const durationPattern = '^([0-9]+(ms|s|m|h|d|w)){1,7}$';

export function parseDuration(text: string): number | undefined {
  if (!new RegExp(durationPattern).test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]+)(ms|s|m|h|d|w)/g)) total += Number(amount) * (units[unit!] ?? 0);
  return total;
}

/** Go's time.Duration String() for whole milliseconds: `3h0m0s`, `1h30m0s`, `90m` → `1h30m0s`, `1500ms` → `1.5s`. */
export function formatDuration(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  if (hours) return `${hours}h${minutes}m${seconds}s`;
  if (minutes) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
