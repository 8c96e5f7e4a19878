// Rate limits for what the page repaints while a race trains: every repaint takes time from the
// cores that train, so progress and pictures are shown at most so often.

/**
 * Runs `show` at most once every `interval()` milliseconds (asked each time, so it may change):
 * `soon()` asks for it (once, however often it is asked before it runs), `now()` runs it at once
 * and returns what it returns, `cancel()` drops a request.
 */
export function throttle(interval, show) {
  let last = -Infinity;
  let timer = null;
  const cancel = () => {
    clearTimeout(timer);
    timer = null;
  };
  const now = () => {
    cancel();
    last = performance.now();
    return show();
  };
  const soon = () => {
    timer ??= setTimeout(now, Math.max(0, last + interval() - performance.now()));
  };
  return { soon, now, cancel };
}
