// Measures one index.html in headless Chromium through the DevTools protocol: the time until the
// page's load event, an A4 PDF with a page-number footer, and screenshots of the top, the first
// failure group, the first failed scenario (its culprit exchange open) and the requirement matrix.
//
//   node --experimental-websocket scripts/report-check.mjs CHROMIUM INDEX_HTML OUT_PREFIX
//
// Prints one JSON object: {"load_ms": ..., "dom_load_ms": ..., "pdf": ..., "print_ms": ..., "screenshots": [...]}.
// Called by scripts/report-check.sh; needs Node 20 or later.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [chromium, html, prefix] = process.argv.slice(2);
if (!chromium || !html || !prefix) {
  console.error("usage: report-check.mjs CHROMIUM INDEX_HTML OUT_PREFIX");
  process.exit(2);
}

const profile = mkdtempSync(join(tmpdir(), "report-check-"));
const browser = spawn(chromium, [
  "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
  "--remote-debugging-port=0", `--user-data-dir=${profile}`, "about:blank",
], { stdio: ["ignore", "ignore", "pipe"] });

function finish(code) {
  browser.kill("SIGTERM");
  try { rmSync(profile, { recursive: true, force: true }); } catch { /* left for the OS */ }
  process.exit(code);
}
const watchdog = setTimeout(() => { console.error("report-check: gave up after 180 s"); finish(1); }, 180_000);

const wsUrl = await new Promise((ok, fail) => {
  let seen = "";
  browser.stderr.on("data", (chunk) => {
    seen += chunk;
    const m = seen.match(/DevTools listening on (ws:\/\/\S+)/);
    if (m) ok(m[1]);
  });
  browser.on("exit", (code) => fail(new Error(`chromium exited (${code}) before listening: ${seen.slice(-500)}`)));
});

const ws = new WebSocket(wsUrl);
await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; });
let nextId = 1;
const pending = new Map();
const waiters = [];
ws.onmessage = (event) => {
  const msg = JSON.parse(event.data);
  if (msg.id && pending.has(msg.id)) {
    const { ok, fail } = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error) fail(new Error(JSON.stringify(msg.error))); else ok(msg.result);
  } else if (msg.method) {
    for (const w of waiters.splice(0)) {
      if (w.method === msg.method) w.ok(msg.params); else waiters.push(w);
    }
  }
};
function send(method, params = {}, sessionId) {
  const id = nextId++;
  ws.send(JSON.stringify({ id, method, params, sessionId }));
  return new Promise((ok, fail) => pending.set(id, { ok, fail }));
}
const t0 = Date.now();
function step(what) { console.error(`report-check: ${((Date.now() - t0) / 1000).toFixed(1)} s ${what}`); }
function once(method) {
  return new Promise((ok) => waiters.push({ method, ok }));
}

try {
  const { targetId } = await send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
  const page = (method, params) => send(method, params, sessionId);
  step("browser ready");
  await page("Page.enable");
  await page("Emulation.setDeviceMetricsOverride", { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false });

  const url = pathToFileURL(resolve(html)).href;
  const loaded = once("Page.loadEventFired");
  const started = Date.now();
  await page("Page.navigate", { url });
  await loaded;
  const loadMs = Date.now() - started;
  step(`loaded ${html}`);
  const evaluate = async (expression) =>
    (await page("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true })).result.value;
  const domLoadMs = await evaluate("Math.round(performance.getEntriesByType('navigation')[0].loadEventEnd)");

  const shots = [];
  async function shot(name, script) {
    const found = await evaluate(`(function () { ${script} })()`);
    if (!found) return;
    await new Promise((r) => setTimeout(r, 150));
    const { data } = await page("Page.captureScreenshot", { format: "png" });
    const file = `${prefix}-${name}.png`;
    writeFileSync(file, Buffer.from(data, "base64"));
    shots.push(file);
    step(`screenshot ${file}`);
  }
  await shot("top", "window.scrollTo(0, 0); return true;");
  await shot("failure-group", "var g = document.querySelector('#failures .group') || document.querySelector('#failures'); g.scrollIntoView(); return true;");
  await shot("failed-scenario", `
    var s = document.querySelector('details.scenario.failed') || document.querySelector('details.scenario');
    if (!s) return false;
    location.hash = '#' + s.id;
    var x = s.querySelector('details.exchange.culprit') || s;
    x.scrollIntoView();
    window.scrollBy(0, -80);
    return true;`);
  await shot("matrix", "var d = document.querySelector('#requirements > details'); d.open = true; d.scrollIntoView(); return true;");

  // Print as a reader would: the page's own beforeprint handler opens what paper needs.
  await evaluate("location.hash = ''; window.scrollTo(0, 0); window.dispatchEvent(new Event('beforeprint')); true");
  const printStarted = Date.now();
  const pdf = await page("Page.printToPDF", {
    transferMode: "ReturnAsStream",
    printBackground: true,
    preferCSSPageSize: true,
    displayHeaderFooter: true,
    headerTemplate: "<span></span>",
    footerTemplate: "<div style=\"font-size:8px;width:100%;text-align:right;padding:0 12mm;font-family:sans-serif\">page <span class=\"pageNumber\"></span> of <span class=\"totalPages\"></span></div>",
  });
  step("printed");
  // A long report is a large PDF: read it from a stream in pieces rather than as one message.
  const chunks = [];
  for (;;) {
    const piece = await page("IO.read", { handle: pdf.stream, size: 256 << 10 });
    chunks.push(Buffer.from(piece.data, piece.base64Encoded ? "base64" : "utf8"));
    if (piece.eof) break;
  }
  await page("IO.close", { handle: pdf.stream });
  const pdfFile = `${prefix}.pdf`;
  writeFileSync(pdfFile, Buffer.concat(chunks));
  const printMs = Date.now() - printStarted;
  console.log(JSON.stringify({ load_ms: loadMs, dom_load_ms: domLoadMs, pdf: pdfFile, print_ms: printMs, screenshots: shots }));
  clearTimeout(watchdog);
  ws.close();
  finish(0);
} catch (e) {
  console.error(`report-check: ${e.message}`);
  finish(1);
}
