import Hummingbird

/// The operator's page: one self-contained HTML file (no build step, no npm), served by the
/// server. The token pasted once opens a session (an HttpOnly cookie the page's script cannot
/// read); pictures and the live stream ride on that cookie, never on a token in a URL.
enum OfficePage {
    static func response() -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .init("Content-Security-Policy")!: csp],
                 body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Only this page's own inline script and style, pictures from this server.
    static let csp = "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'"

    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Retina · security office</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
  header { background: #1d2330; color: #fff; padding: 10px 16px; display: flex; gap: 16px; align-items: center; }
  header h1 { font-size: 16px; margin: 0; }
  header input { width: 320px; }
  #live { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #777; }
  #live.on { background: #2e8b57; }
  main { padding: 12px 16px; }
  .filters { margin-bottom: 8px; display: flex; gap: 8px; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  th, td { padding: 6px 8px; border-bottom: 1px solid #e3e5ea; text-align: left; vertical-align: middle; }
  tr.P1 { background: #ffe3e3; font-weight: 600; }
  tr.P2 { background: #fff4e0; }
  .pri { font-weight: 700; }
  .countdown { font-variant-numeric: tabular-nums; color: #b00020; }
  .overdue { background: #b00020; color: #fff; padding: 0 4px; border-radius: 3px; }
  img.snap { height: 54px; border-radius: 3px; }
  a.clear { display: block; font-size: 12px; }
  button { margin-right: 4px; }
  #error { color: #b00020; }
  h2 { font-size: 15px; margin: 18px 0 6px; }
</style>
</head>
<body>
<header>
  <h1>Retina · security office</h1>
  <label id="signin">Token <input id="token" type="password" autocomplete="off" placeholder="rt_… (retina tokens create --role operator)"></label>
  <span id="live">offline</span>
  <span id="who"></span>
  <button id="signout" hidden>Sign out</button>
</header>
<main>
  <div id="error"></div>
  <div class="filters">
    <label>Type <input id="ftype" placeholder="e.g. fall.detected"></label>
    <label>Camera <input id="fcamera"></label>
    <label><input id="fdone" type="checkbox"> show resolved</label>
  </div>
  <table>
    <thead><tr><th>Pri</th><th>Ack in</th><th>Type</th><th>Where</th><th>Occurred</th><th>State</th><th>Snapshot</th><th>Actions</th></tr></thead>
    <tbody id="queue"></tbody>
  </table>
  <h2>Cameras</h2>
  <table>
    <thead><tr><th>Group</th><th>Camera</th><th>State</th><th>Decoded fps</th><th>Analysed fps</th><th>Dropped</th><th>Reconnects/h</th><th>Last error</th></tr></thead>
    <tbody id="health"></tbody>
  </table>
  <h2>Camera groups</h2>
  <table>
    <thead><tr><th>Group</th><th>Served by node</th><th>Epoch</th><th>Lease</th></tr></thead>
    <tbody id="groups"></tbody>
  </table>
</main>
<script>
const $ = (id) => document.getElementById(id);
const tokenInput = $("token");
let events = [], source = null, signedIn = false;

async function api(path, options = {}) {
  // The session cookie goes with every same-origin request; X-Requested-With tells the server a
  // change comes from this page's script, which a cross-site form cannot send.
  const response = await fetch(path, { ...options, credentials: "same-origin",
    headers: { "X-Requested-With": "retina-office", "Content-Type": "application/json" } });
  if (!response.ok && response.status !== 204) {
    let message = response.status + "";
    try { const body = await response.json(); message += " " + body.error.message; } catch (_) {}
    if (response.status === 401) showSignedOut();
    throw new Error(message);
  }
  return response.status === 204 ? null : response.json();
}

function showSignedIn(who) {
  signedIn = true;
  $("who").textContent = who.name + " (" + who.role + ")";
  $("signin").hidden = true;
  $("signout").hidden = false;
}
function showSignedOut() {
  signedIn = false;
  $("who").textContent = "";
  $("signin").hidden = false;
  $("signout").hidden = true;
  if (source) { source.close(); source = null; }
  $("live").textContent = "offline"; $("live").className = "";
}

async function signIn() {
  const token = tokenInput.value.trim();
  tokenInput.value = "";  // the page never keeps the token: the session cookie stands for it
  if (!token) return;
  try {
    showSignedIn(await api("/api/session", { method: "POST", body: JSON.stringify({ token }) }));
    connect(); refresh();
  } catch (e) { $("error").textContent = e.message; }
}
function esc(s) { return String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c])); }

async function refresh() {
  if (!signedIn) { $("error").textContent = "Enter a token to see the queue."; return; }
  try {
    const states = $("fdone").checked ? "" : "&state=new&state=claimed&state=acknowledged";
    let url = "/api/events?order=queue&limit=300" + states;
    if ($("ftype").value) url += "&type=" + encodeURIComponent($("ftype").value);
    if ($("fcamera").value) url += "&camera=" + encodeURIComponent($("fcamera").value);
    events = await api(url);
    render();
    const health = await api("/api/health");
    $("health").innerHTML = health.map((h) => `<tr><td>${esc(h.group)}</td><td>${esc(h.camera)}</td><td>${esc(h.state)}${h.mainStream ? " (main: " + esc(h.mainStream.state) + ")" : ""}</td>
      <td>${h.decodedFps.toFixed(1)}</td><td>${h.analysedFps.toFixed(1)}</td><td>${h.droppedFrames}</td><td>${h.reconnectsLastHour}</td><td>${esc(h.lastError)}</td></tr>`).join("");
    const groups = await api("/api/groups");
    const now = Date.now();
    $("groups").innerHTML = groups.map((g) => {
      const left = Math.round((Date.parse(g.expiresAt) - now) / 1000);
      const lease = !g.node ? "released" : left > 0 ? `${left} s left` : `<b>expired ${-left} s ago</b>`;
      return `<tr><td>${esc(g.group)}</td><td>${esc(g.node || "—")}</td><td>${g.epoch}</td><td>${lease}</td></tr>`;
    }).join("") || `<tr><td colspan="4">no node has taken a group (in-process runs take none)</td></tr>`;
    $("error").textContent = "";
  } catch (e) { $("error").textContent = e.message; }
}

function render() {
  $("queue").innerHTML = events.map((e) => {
    const subject = e.payload && typeof e.payload.subjectRef === "string" ? e.payload.subjectRef : "";
    const where = [subject, e.source.camera || e.source.producer, e.source.zone, e.location && e.location.address].filter(Boolean).join(" · ");
    // A home camera's pictures: the blurred one here; its clear picture and clip only on a click, each view recorded.
    const evidence = e.evidence || [];
    const shown = evidence.find((x) => x.kind === "snapshot" && x.privacy !== "clear");
    const snap = (shown ? `<img class="snap" alt="${shown.privacy === "blurred" ? "blurred snapshot" : "snapshot"}" src="/api/snapshots/${e.id}">` : "")
      + evidence.map((x, i) => x.privacy === "clear"
        ? `<a class="clear" target="_blank" rel="noopener" href="/api/events/${e.id}/evidence/${i}" title="Every view is recorded in the event's history">clear ${x.kind === "clip" ? "clip" : "picture"} (view recorded)</a>` : "").join("");
    const open = ["new", "claimed"].includes(e.state);
    const ack = e.priority === "P1" && open ? `<span class="countdown" data-published="${esc(e.publishedAt)}"></span>` : "";
    const buttons = [
      e.state === "new" ? `<button data-act="claim" data-id="${e.id}">Claim</button>` : "",
      open ? `<button data-act="acknowledge" data-id="${e.id}">Acknowledge</button>` : "",
      ["claimed", "acknowledged"].includes(e.state) ? `<button data-act="resolve" data-id="${e.id}">Resolve</button>` : "",
      ["new", "claimed", "acknowledged"].includes(e.state) ? `<button data-act="false_alarm" data-id="${e.id}">False alarm</button>` : "",
    ].join("");
    return `<tr class="${e.priority}" data-id="${e.id}"><td class="pri">${e.priority}</td><td>${ack}</td>
      <td>${esc(e.type)}${e.subtype ? "/" + esc(e.subtype) : ""}${e.level ? " (" + esc(e.level) + ")" : ""}${e.repeats ? " ×" + (e.repeats + 1) : ""}</td>
      <td>${esc(where)}</td><td>${esc(new Date(e.occurredAt).toLocaleString())}</td>
      <td class="state">${esc(e.state)}${e.claimedBy ? " · " + esc(e.claimedBy) : ""}${e.escalationStep ? ' <span class="overdue">escalated ' + e.escalationStep + "</span>" : ""}</td>
      <td>${snap}</td><td>${buttons}</td></tr>`;
  }).join("");
  tick();
}

function tick() {
  for (const el of document.querySelectorAll(".countdown")) {
    const left = Math.round(60 - (Date.now() - Date.parse(el.dataset.published)) / 1000);
    el.innerHTML = left > 0 ? left + " s" : '<span class="overdue">overdue ' + (-left) + " s</span>";
  }
}

$("queue").addEventListener("click", async (ev) => {
  const b = ev.target.closest("button[data-act]");
  if (!b) return;
  try { await api(`/api/events/${b.dataset.id}/${b.dataset.act}`, { method: "POST", body: "{}" }); await refresh(); }
  catch (e) { $("error").textContent = e.message; }
});

function connect() {
  if (source) source.close();
  if (!signedIn) return;
  source = new EventSource("/api/stream");
  source.onopen = () => { $("live").textContent = "live"; $("live").className = "on"; };
  source.onerror = () => { $("live").textContent = "reconnecting"; $("live").className = ""; };
  source.addEventListener("change", () => refresh());
}

tokenInput.addEventListener("change", signIn);
$("signout").addEventListener("click", async () => { await api("/api/session", { method: "DELETE" }).catch(() => {}); showSignedOut(); events = []; render(); });
for (const id of ["ftype", "fcamera", "fdone"]) $(id).addEventListener("change", refresh);
setInterval(tick, 1000);
setInterval(refresh, 15000);
// Already signed in (the cookie outlives a reload)?
api("/api/session").then((who) => { showSignedIn(who); connect(); refresh(); }).catch(() => { showSignedOut(); refresh(); });
</script>
</body>
</html>
"""#
}
