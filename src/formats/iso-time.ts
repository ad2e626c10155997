/**
 * ISO 8601 UTC timestamps as `Date.prototype.toISOString` writes them, for text formats
 * that write one per row. Rows of a block mostly share their day, so the date part is
 * formatted once per day and the time of day from integer arithmetic and lookup tables:
 * several times faster than a Date per row, with the same characters.
 */
const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const DAY_MS = 86_400_000;

export class IsoTimeFormatter {
  private day = Number.NaN;
  private prefix = '';

  /** `new Date(ms).toISOString()` for an integral epoch millisecond. */
  format(ms: number): string {
    const day = Math.floor(ms / DAY_MS);
    if (day !== this.day) {
      const iso = new Date(day * DAY_MS).toISOString();
      this.day = day;
      this.prefix = iso.slice(0, iso.indexOf('T') + 1);
    }
    let r = ms - day * DAY_MS;
    const h = Math.floor(r / 3_600_000);
    r -= h * 3_600_000;
    const m = Math.floor(r / 60_000);
    r -= m * 60_000;
    const s = Math.floor(r / 1000);
    return `${this.prefix}${PAD2[h]}:${PAD2[m]}:${PAD2[s]}.${PAD3[r - s * 1000]}Z`;
  }
}
