/**
 * Natural order (github.com/fvbommel/sortorder NaturalLess), which `docker network ls` sorts
 * rows by: runs of digits compare as numbers ("network-2" < "network-10"), digits sort before
 * other characters, everything else compares bytewise.
 */

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function naturalLess(a: string, b: string): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    const da = isDigit(ca);
    const db = isDigit(cb);
    if (da !== db) return da;
    if (!da) {
      if (ca !== cb) return ca < cb;
      i++;
      j++;
      continue;
    }
    // Both digits: skip leading zeros, then compare the numbers by length and digits.
    while (i < a.length && a.charCodeAt(i) === 0x30) i++;
    while (j < b.length && b.charCodeAt(j) === 0x30) j++;
    const startA = i;
    const startB = j;
    while (i < a.length && isDigit(a.charCodeAt(i))) i++;
    while (j < b.length && isDigit(b.charCodeAt(j))) j++;
    const lenA = i - startA;
    const lenB = j - startB;
    if (lenA !== lenB) return lenA < lenB;
    const na = a.slice(startA, i);
    const nb = b.slice(startB, j);
    if (na !== nb) return na < nb;
    // Equal numbers: the one with fewer leading zeros is less.
    if (startA !== startB) return startA < startB;
  }
  // Identical so far and at least one has ended: the shorter sorts first (as sortorder does).
  return a.length < b.length;
}

/** A comparator for Array.prototype.sort. */
export function naturalCompare(a: string, b: string): number {
  return naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0;
}
