// XHTML documents -> how their tables lay out at a phone's width, in Chromium.
//
// Usage: PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium node phone-layout.js WIDTH FILE...
// Prints JSON, one entry per file: the viewport's width, the document's scroll width (wider
// than the viewport means the reader must scroll sideways), and for each table its right
// edge, the smallest font size of its cells in CSS pixels and how many cells overflow.
'use strict';

const puppeteer = require('puppeteer-core');

async function main() {
  const [width, ...files] = process.argv.slice(2);
  const browser = await puppeteer.launch({
    executablePath: process.env.PUPPETEER_EXECUTABLE_PATH,
    args: ['--no-sandbox', '--disable-setuid-sandbox'],
    headless: true,
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: Number(width), height: 800, deviceScaleFactor: 1 });
    const results = [];
    for (const file of files) {
      await page.goto('file://' + file, { waitUntil: 'load' });
      const layout = await page.evaluate(() => ({
        viewport: document.documentElement.clientWidth,
        scrollWidth: document.documentElement.scrollWidth,
        tables: [...document.querySelectorAll('table')].map((table) => {
          const cells = [...table.querySelectorAll('th, td')];
          return {
            right: table.getBoundingClientRect().right,
            smallestFontPx: Math.min(...cells.map((c) => parseFloat(getComputedStyle(c).fontSize))),
            overflowingCells: cells.filter((c) => c.scrollWidth > c.clientWidth + 1).length,
          };
        }),
      }));
      results.push({ file, ...layout });
    }
    process.stdout.write(JSON.stringify(results));
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
