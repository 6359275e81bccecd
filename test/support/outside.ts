/**
 * What a test needs from outside the repository (the reference files in ../shared, Debian's
 * Chromium). `npm test` on a clone with nothing beside it must pass, so a test whose need is
 * missing reports itself skipped, saying what is missing and how to provide it. Under CI=true
 * a missing need is an error instead: CI installs everything, and a skip there would hide a
 * broken set-up.
 */
export function needs(what: string, present: boolean, howToProvide: string): string | false {
  if (present) return false;
  const reason = `${what} not found: ${howToProvide}`;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true, where every test must run)`);
  return reason;
}
