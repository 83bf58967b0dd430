// Browser checks of a built site (argument: the edition folder). For each page, at 390 and
// 1280 px wide: no console errors, no request that is not file://, a screenshot; then axe-core,
// and no violation of serious or critical impact. Prints one JSON line per page and a summary;
// exits 1 on any failure.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";
import path from "node:path";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const [site, shots, ...pages] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--allow-file-access-from-files"],
});
let failures = 0;
for (const rel of pages) {
  for (const width of [390, 1280]) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const errors = [];
    const requests = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => { if (!r.url().startsWith("file://")) requests.push(r.url()); });
    await page.goto("file://" + path.resolve(site, rel), { waitUntil: "load" });
    const name = rel.replace(/[\/.]/g, "_") + "_" + width + ".png";
    // Seen once in CI: "Unable to capture screenshot" on a full-page capture (cause unknown;
    // /dev/shm was not full). Try three times, then report it as a failure of this page.
    let shotError = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      try { await page.screenshot({ path: path.join(shots, name), fullPage: true }); shotError = null; break; }
      catch (e) { shotError = String(e).split("\n")[0]; await page.waitForTimeout(500); }
    }
    if (shotError) errors.push("screenshot: " + shotError);
    let serious = [];
    if (width === 1280) {
      await page.addScriptTag({ path: axePath });
      const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
      serious = result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, example: v.nodes[0] && v.nodes[0].target.join(" ") }));
    }
    const ok = errors.length === 0 && requests.length === 0 && serious.length === 0;
    if (!ok) failures++;
    console.log(JSON.stringify({ page: rel, width, ok, console_errors: errors, requests, axe_serious: serious, screenshot: name }));
    await page.close();
  }
}
await browser.close();
console.log(JSON.stringify({ summary: true, pages: pages.length, failures }));
process.exit(failures ? 1 : 0);
