// `node benches/screenshots.mjs`: the README's two screenshots, from the page as it is (Debian's
// Chromium, the static server on a free loopback port): docs/one-screen.png, the one screen at
// 1366×768 after a memorize race, and docs/projector.png, the projector view at 1280×720 on the
// memorize lesson's step 3 (the cross map). Takes pictures only; asserts nothing.
import { start, openPage } from '../tests/page/harness.mjs';

const env = await start();
try {
  const shots = [
    { file: 'docs/one-screen.png', hash: '#preset=memorize', size: { width: 1366, height: 768 }, ready: raceDone },
    { file: 'docs/projector.png', hash: '#preset=memorize&projector=1&lesson=memorize&step=3', size: { width: 1280, height: 720 }, ready: stepDone },
  ];
  for (const { file, hash, size, ready } of shots) {
    const { page } = await openPage(env, `/${hash}`);
    await page.setViewportSize(size);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 180_000 });
    await ready(page);
    // The last drawing's picture is decoded before the shot.
    await page.evaluate(() => Promise.all([...document.querySelectorAll('img.picture[data-drawn]')].map((img) => img.decode().catch(() => {}))));
    await page.screenshot({ path: file });
    console.log(`${file}: ${size.width}×${size.height}`);
    await page.close();
  }
} finally {
  await env.close();
}

/** Races the three models and waits for the end. */
async function raceDone(page) {
  await page.click('#compare');
  await page.waitForFunction(() => /^Done/.test(document.querySelector('#status').textContent) && document.querySelector('#cross-map').dataset.drawn, null, { timeout: 600_000 });
}

/** Waits for the lesson step the link opened to be set up (its race run, its sentence said). */
async function stepDone(page) {
  await page.waitForFunction(() => {
    const card = document.querySelector('#lesson');
    return !card.hidden && !card.hasAttribute('aria-busy') && document.querySelector('#cross-map').dataset.drawn;
  }, null, { timeout: 600_000 });
}
