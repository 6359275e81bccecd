/**
 * The subject patterns of trust policies: `*` matches any run of characters (none included),
 * `?` exactly one, everything else itself. The subject is attacker-influenced (a CI branch
 * name, a workload token's actor) and the token endpoint needs no login, so matching must not
 * backtrack: a regular expression such as `^.*a.*a.*b$` takes exponential time on a long
 * subject and blocks the process. Here the pattern is cut at its stars; the first piece must
 * start the subject, the last must end it, and each piece between is taken at its leftmost
 * place after the one before (taking it further right can only leave less room for the rest).
 * That is at most one pass of each piece over the subject: O(pattern × subject), both bounded.
 */

/** The longest subject pattern a trust policy may have. */
export const maxPatternLength = 512;
/** The longest `sub` that is matched at all; a longer one matches no policy. */
export const maxSubjectLength = 1024;

export function globMatches(pattern: string, subject: string): boolean {
  // By code points, so that `?` takes one character even outside the BMP.
  const text = Array.from(subject);
  const pieces = pattern.split('*').map((piece) => Array.from(piece));
  const first = pieces[0] ?? [];
  if (pieces.length === 1) return text.length === first.length && fitsAt(text, 0, first);
  const last = pieces[pieces.length - 1] ?? [];
  const end = text.length - last.length;
  if (end < first.length || !fitsAt(text, 0, first) || !fitsAt(text, end, last)) return false;
  let from = first.length;
  for (const piece of pieces.slice(1, -1)) {
    const at = leftmost(text, piece, from, end);
    if (at < 0) return false;
    from = at + piece.length;
  }
  return true;
}

/** Whether `piece` matches `text` at `at` (`?` matching any one character). */
function fitsAt(text: string[], at: number, piece: string[]): boolean {
  for (let i = 0; i < piece.length; i++) {
    if (piece[i] !== '?' && piece[i] !== text[at + i]) return false;
  }
  return true;
}

/** The first place in [from, end - piece.length] where `piece` fits, or -1. */
function leftmost(text: string[], piece: string[], from: number, end: number): number {
  for (let at = from; at + piece.length <= end; at++) if (fitsAt(text, at, piece)) return at;
  return -1;
}
