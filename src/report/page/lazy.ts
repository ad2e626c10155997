/**
 * Drawing on the way: a page of hundreds of variables drew every chart and histogram at
 * load (seconds in Chromium); these helpers draw the first few at once and each other one
 * when it comes within a screen of the window.
 */

/** Charts or figures drawn at load, of each kind; a narrow dataset's page draws them all. */
const EAGER = 12;

/**
 * Tells `near(i, true)` now for the first `EAGER` of `boxes`, and, as the window moves,
 * `near(i, yes)` whenever box i comes within a screen of it (yes) or leaves (no).
 */
function whenNear(boxes: HTMLElement[], near: (i: number, yes: boolean) => void): void {
  for (let i = 0; i < Math.min(EAGER, boxes.length); i++) near(i, true);
  if (typeof IntersectionObserver === 'undefined') {
    for (let i = EAGER; i < boxes.length; i++) near(i, true);
    return;
  }
  const index = new Map(boxes.map((b, i) => [b, i] as const));
  const io = new IntersectionObserver((entries) => {
    for (const e of entries) near(index.get(e.target as HTMLElement)!, e.isIntersecting);
  }, { rootMargin: '100% 0px 100% 0px' });
  for (const b of boxes) io.observe(b);
}
