import Foundation
import Hummingbird

/// The operator's page: one self-contained HTML file (no build step, no npm), served by the
/// server. The token pasted once opens a session (an HttpOnly cookie the page's script cannot
/// read); pictures and the live stream ride on that cookie, never on a token in a URL.
enum OfficePage {
    static func response() -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .init("Content-Security-Policy")!: csp],
                 body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Only this page's own inline script and style, scripts and pictures from this server (Chart.js
    /// is served by Retina from Debian's package: no CDN).
    static let csp = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'"

    /// Debian's Chart.js (`libjs-chart.js`), for the crowd charts; `$RETINA_CHARTJS` names another copy.
    static let chartScriptPath = ProcessInfo.processInfo.environment["RETINA_CHARTJS"] ?? "/usr/share/javascript/chart.js/chart.min.js"

    /// Read once per process (200 KB), not per request.
    static let chartScriptData = FileManager.default.contents(atPath: chartScriptPath)

    static func chartScript() throws -> Response {
        guard let data = chartScriptData else {
            throw OfficeError(.notFound, "Chart.js is not installed at \(chartScriptPath): install Debian's libjs-chart.js (scripts/install-deps.sh)")
        }
        return Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "max-age=86400"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static let html = #"""
<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>Retina · 安保值班室</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, "Noto Sans CJK SC", "Noto Sans SC", sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
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
  tr.failing td { background: #fff3e0; }
  .wall { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(300px, 100%), 1fr)); gap: 10px; }
  .cam { background: #111; color: #eee; border-radius: 4px; overflow: hidden; }
  .cam img { display: block; width: 100%; aspect-ratio: 16 / 9; object-fit: contain; background: #222; }
  .cam .cap { padding: 4px 8px; font-size: 13px; display: flex; justify-content: space-between; gap: 8px; }
  .cam .down { color: #ff8a80; font-weight: bold; }
  .cam [hidden] { display: none !important; }
  .cam .none { aspect-ratio: 16 / 9; display: flex; align-items: center; justify-content: center; color: #999; }
  .shot { position: relative; margin: 6px 0; }
  #detail .shot img.full { display: block; margin: 0; }
  .shot .overlay { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; }
  .overlay * { vector-effect: non-scaling-stroke; }
  .overlay .zone { fill: rgba(255, 193, 7, .15); stroke: #ffc107; stroke-width: 2px; }
  .overlay rect { fill: none; stroke-width: 2px; }
  .overlay .person { stroke: #00e676; }
  .overlay .other { stroke: #ff1744; }
  .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(440px, 100%), 1fr)); gap: 12px; }
  .chart { background: #fff; border: 1px solid #ddd; border-radius: 4px; padding: 8px; }
  .chart-title { font-weight: bold; margin-bottom: 4px; }
  .chart-plot { position: relative; height: 220px; }
  .muted { color: #666; }
  img.snap { height: 54px; border-radius: 3px; }
  a.clear { display: block; font-size: 12px; }
  button { margin-right: 4px; }
  #error { color: #b00020; }
  h2 { font-size: 15px; margin: 18px 0 6px; }
  .scroll { overflow-x: auto; }
  #detail { position: fixed; top: 0; right: 0; bottom: 0; width: min(520px, 100%); overflow-y: auto; background: #fff;
            box-shadow: -4px 0 16px rgba(0,0,0,.2); padding: 12px 16px; box-sizing: border-box; z-index: 10; }
  #detail img.full, #detail video { width: 100%; border-radius: 4px; background: #000; margin: 6px 0; }
  #detail ol { padding-left: 18px; }
  #detail .keys { color: #667; font-size: 12px; }
  #detail textarea { width: 100%; box-sizing: border-box; }
  #queue tr { cursor: pointer; }
  #alarm { background: #b00020; color: #fff; padding: 8px 16px; font-weight: 700; cursor: pointer; }
  /* A phone (grid staff on patrol): each event a card, the tables below scroll sideways. */
  @media (max-width: 640px) {
    header { flex-wrap: wrap; gap: 8px; }
    header input { width: 100%; }
    .filters { flex-wrap: wrap; }
    table.queue thead { display: none; }
    table.queue, table.queue tbody, table.queue tr { display: block; }
    table.queue tr { margin: 0 0 8px; border: 1px solid #e3e5ea; border-radius: 6px; padding: 6px; }
    table.queue td { display: inline-block; border: none; padding: 2px 4px; }
    table.queue td:empty { display: none; }
    table.queue button { padding: 6px 12px; margin-top: 4px; }
  }
</style>
</head>
<body>
<header>
  <h1 data-t="title">Retina · 安保值班室</h1>
  <label id="signin"><span data-t="token">令牌</span> <input id="token" type="password" autocomplete="off" placeholder="rt_… (retina tokens create --role operator)"></label>
  <span id="live" data-t="offline">离线</span>
  <span id="who"></span>
  <button id="signout" data-t="signOut" hidden>退出</button>
  <button id="report" data-t="report" hidden>上报事件</button>
  <button id="lang" title="English / 中文">English</button>
</header>
<div id="alarm" hidden></div>
<section id="detail" hidden>
  <button id="closeDetail" style="float:right">×</button>
  <div id="detailBody"></div>
</section>
<main>
  <div id="error"></div>
  <div class="filters">
    <label><span data-t="type">类型</span> <input id="ftype" placeholder="fall.detected"></label>
    <label><span data-t="camera">摄像机</span> <input id="fcamera"></label>
    <label><input id="fdone" type="checkbox"> <span data-t="showDone">显示已处理</span></label>
  </div>
  <table class="queue">
    <thead><tr><th data-t="pri">优先级</th><th data-t="ackIn">确认时限</th><th data-t="type">类型</th><th data-t="where">地点</th><th data-t="occurred">发生时间</th><th data-t="state">状态</th><th data-t="snapshot">图像</th><th data-t="actions">操作</th></tr></thead>
    <tbody id="queue"></tbody>
  </table>
  <h2 data-t="liveWall">实时画面</h2>
  <div id="wall" class="wall"></div>
  <h2 data-t="crowdCharts">人群趋势（近一小时）</h2>
  <div id="charts" class="charts"></div>
  <h2 data-t="cameras">摄像机</h2>
  <div class="scroll"><table>
    <thead><tr><th data-t="group">分组</th><th data-t="camera">摄像机</th><th data-t="state">状态</th><th data-t="decodedFps">解码帧率</th><th data-t="analysedFps">分析帧率</th><th data-t="dropped">丢帧</th><th data-t="reconnects">每小时重连</th><th data-t="lastError">最近错误</th></tr></thead>
    <tbody id="health"></tbody>
  </table></div>
  <h2 data-t="groups">摄像机分组</h2>
  <div class="scroll"><table>
    <thead><tr><th data-t="group">分组</th><th data-t="node">服务节点</th><th data-t="epoch">轮次</th><th data-t="lease">租约</th></tr></thead>
    <tbody id="groups"></tbody>
  </table></div>
  <h2 data-t="linkage">联动推送</h2>
  <div class="scroll"><table>
    <thead><tr><th data-t="subscriber">推送对象</th><th data-t="linkState">状态</th><th data-t="waiting">待发送</th><th data-t="delivered">已送达</th><th data-t="lastError">最近错误</th></tr></thead>
    <tbody id="relays"></tbody>
  </table></div>
  <h3 data-t="deadLetters">未送达（死信）</h3>
  <div class="scroll"><table>
    <thead><tr><th data-t="subscriber">推送对象</th><th data-t="event">事件</th><th data-t="at">时间</th><th data-t="attempts">尝试次数</th><th data-t="reason">原因</th></tr></thead>
    <tbody id="deadLetters"></tbody>
  </table></div>
</main>
<script src="/static/chart.js"></script>
<script>
const $ = (id) => document.getElementById(id);
// Chinese first (the people in the monitoring room, the property offices and the grid staff read
// it); English by the switch, remembered in this browser.
const TEXT = {
  zh: { title: "Retina · 安保值班室", token: "令牌", offline: "离线", live: "实时", reconnecting: "重新连接中", signOut: "退出",
        type: "类型", camera: "摄像机", showDone: "显示已处理", pri: "优先级", ackIn: "确认时限", where: "地点", occurred: "发生时间",
        state: "状态", snapshot: "图像", actions: "操作", cameras: "摄像机", group: "分组", decodedFps: "解码帧率", analysedFps: "分析帧率",
        dropped: "丢帧", reconnects: "每小时重连", lastError: "最近错误", groups: "摄像机分组", node: "服务节点", epoch: "轮次", lease: "租约",
        claim: "认领", acknowledge: "确认", resolve: "处理完毕", false_alarm: "误报", enterToken: "请输入令牌以查看告警队列。",
        overdue: "超时", escalated: "已升级", released: "已释放", left: (n) => `剩余 ${n} 秒`, expired: (n) => `${n} 秒前已过期`,
        linkage: "联动推送", subscriber: "推送对象", linkState: "状态", waiting: "待发送", delivered: "已送达", deadLetters: "未送达（死信）",
        event: "事件", at: "时间", attempts: "尝试次数", reason: "原因", linkOk: "正常", linkRetrying: "重试中", noLinkage: "未配置联动推送（配置文件 linkage:）",
        noDeadLetters: "无", webhook: "Webhook",
        httpErrors: { 400: "请求有误", 401: "未登录或登录已过期，请重新输入令牌", 403: "没有权限执行此操作", 404: "未找到",
                      409: "操作冲突（可能已被他人处理）", 413: "文件太大", 415: "文件类型不支持", 422: "内容无法处理",
                      429: "请求过于频繁", 503: "服务暂不可用", other: "请求失败" },
        liveWall: "实时画面", noPicture: "无画面", noCameras: "没有摄像机上报状态", lastEvent: "最近事件",
        crowdCharts: "人群趋势（近一小时）", noZones: "近一小时没有区域人数记录", noChartJs: "图表库未安装（libjs-chart.js）",
        measured: "实测", forecastLine: "预测", now: "现在", min: "分", people: "人", perM2: "人/平方米",
        flowIn: "进入", flowOut: "离开", perMin: "人/分钟",
        noGroups: "尚无节点接管分组（单进程运行不接管）", blurred: "已模糊处理的图像", snapshotAlt: "事件图像",
        clearPicture: "清晰图像（查看将被记录）", clearClip: "清晰视频（查看将被记录）", recorded: "每次查看都会记入事件历史",
        main: "主码流", seconds: "秒", report: "上报事件", reportNote: "看到了什么（必填）", reportPlace: "地点（楼栋、门岗）",
        reportPhoto: "照片", send: "提交", reported: "已上报", history: "处理记录", note: "添加备注", addNote: "保存备注", clip: "视频",
        keys: "快捷键：C 认领 · A 确认 · R 处理完毕 · Esc 关闭", priority: "优先级",
        actions_: { published: "发布", claim: "认领", release: "释放", acknowledge: "确认", resolve: "处理完毕", false_alarm: "误报",
                    escalate: "升级", note: "备注", hold: "保全", reassign: "转派", lease_renewed: "认领续期",
                    escalated_unacknowledged: "超时未确认，已升级", evidence_added: "证据已加入", evidence_missing: "证据缺失",
                    evidence_viewed: "查看了清晰证据", merged: "重复上报已合并" }, alarm: (n) => `${n} 条一级告警未确认`, soundOff: "（点击此处开启告警声音）", roles: { operator: "值班员", liaison: "公安联络员", producer: "数据源", admin: "管理员" },
        states: { new: "待处理", claimed: "已认领", acknowledged: "已确认", resolved: "已处理", false_alarm: "误报" },
        levels: { blue: "蓝色", yellow: "黄色", orange: "橙色", red: "红色" },
        cameraStates: { connecting: "连接中", streaming: "正常", stalled: "卡顿", backoff: "等待重连", failed: "故障", stopped: "已停止" },
        types: { "fall.detected": "跌倒告警", "fall.inactivity": "长时间未起身/无活动", "crowd.density": "人群密度", "crowd.flow": "人流",
                 "crowd.forecast": "人群预测", "motion.anomaly": "异常行为", "motion.detected": "画面移动", "camera.offline": "摄像机离线",
                 "camera.online": "摄像机恢复", "camera.tampered": "摄像机被遮挡或移动", "report.manual": "人工上报" },
        subtypes: { running: "奔跑", counter_flow: "逆行", dispersal: "人群四散", intrusion: "闯入禁区", loitering: "徘徊",
                    vehicle: "车辆混入人群", covered: "遮挡", moved: "移位" } },
  en: { title: "Retina · security office", token: "Token", offline: "offline", live: "live", reconnecting: "reconnecting", signOut: "Sign out",
        type: "Type", camera: "Camera", showDone: "show resolved", pri: "Pri", ackIn: "Ack in", where: "Where", occurred: "Occurred",
        state: "State", snapshot: "Snapshot", actions: "Actions", cameras: "Cameras", group: "Group", decodedFps: "Decoded fps",
        analysedFps: "Analysed fps", dropped: "Dropped", reconnects: "Reconnects/h", lastError: "Last error", groups: "Camera groups",
        node: "Served by node", epoch: "Epoch", lease: "Lease", claim: "Claim", acknowledge: "Acknowledge", resolve: "Resolve",
        false_alarm: "False alarm", enterToken: "Enter a token to see the queue.", overdue: "overdue", escalated: "escalated",
        released: "released", left: (n) => `${n} s left`, expired: (n) => `expired ${n} s ago`,
        linkage: "Linkage out", subscriber: "Subscriber", linkState: "State", waiting: "Waiting", delivered: "Delivered", deadLetters: "Dead letters",
        event: "Event", at: "At", attempts: "Attempts", reason: "Reason", linkOk: "ok", linkRetrying: "retrying", noLinkage: "no linkage configured (linkage: in the configuration)",
        noDeadLetters: "none", webhook: "Webhook",
        httpErrors: { 400: "Bad request", 401: "Not signed in or the session expired: enter a token again", 403: "Not allowed",
                      404: "Not found", 409: "Conflict (someone else may have acted)", 413: "File too large", 415: "Unsupported file type",
                      422: "Cannot be processed", 429: "Too many requests", 503: "Service unavailable", other: "Request failed" },
        liveWall: "Live wall", noPicture: "no picture", noCameras: "no camera has reported", lastEvent: "last event",
        crowdCharts: "Crowd over the last hour", noZones: "no zone counts in the last hour", noChartJs: "charting library not installed (libjs-chart.js)",
        measured: "measured", forecastLine: "forecast", now: "now", min: "min", people: "people", perM2: "persons/m²",
        flowIn: "in", flowOut: "out", perMin: "people/min",
        noGroups: "no node has taken a group (in-process runs take none)", blurred: "blurred snapshot", snapshotAlt: "snapshot",
        clearPicture: "clear picture (view recorded)", clearClip: "clear clip (view recorded)", recorded: "Every view is recorded in the event's history",
        main: "main", seconds: "s", report: "Report", reportNote: "What you saw (required)", reportPlace: "Where (building, gate)",
        reportPhoto: "Photo", send: "Send", reported: "Reported", history: "History", note: "Add a note", addNote: "Save note", clip: "Clip",
        keys: "Keys: C claim · A acknowledge · R resolve · Esc close", priority: "Priority", actions_: {}, alarm: (n) => `${n} P1 alarm(s) not acknowledged`, soundOff: " (click here for the alarm sound)", roles: {}, states: {}, levels: {}, cameraStates: {}, types: {}, subtypes: {} },
};
let lang = localStorage.getItem("retina.lang") === "en" ? "en" : "zh";
const t = (key) => TEXT[lang][key];
const named = (table, value) => TEXT[lang][table][value] || value;
function applyLanguage() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  $("lang").textContent = lang === "zh" ? "English" : "中文";
  if (source) $("live").textContent = t(source.readyState === 1 ? "live" : "reconnecting");
  if (typeof showWho === "function") showWho();
}
const tokenInput = $("token");
let events = [], source = null, signedIn = false;

async function api(path, options = {}) {
  // The session cookie goes with every same-origin request; X-Requested-With tells the server a
  // change comes from this page's script, which a cross-site form cannot send.
  const response = await fetch(path, { ...options, credentials: "same-origin",
    headers: { "X-Requested-With": "retina-office", "Content-Type": "application/json" } });
  if (!response.ok && response.status !== 204) {
    // The server's messages are English (they go to logs and scripts too): the reader gets what
    // the status means in their language first, then the server's detail.
    let message = (TEXT[lang].httpErrors[response.status] || TEXT[lang].httpErrors.other) + ` (${response.status})`;
    try { const body = await response.json(); message += ": " + body.error.message; } catch (_) {}
    if (response.status === 401) showSignedOut();
    throw new Error(message);
  }
  return response.status === 204 ? null : response.json();
}

let whoami = null;
function showWho() {
  $("who").textContent = !whoami ? "" : whoami.name + (lang === "zh" ? "（" + named("roles", whoami.role) + "）" : " (" + whoami.role + ")");
}
function showSignedIn(who) {
  signedIn = true;
  whoami = who;
  showWho();
  $("signin").hidden = true;
  $("signout").hidden = false;
  $("report").hidden = false;
}
function showSignedOut() {
  signedIn = false;
  whoami = null;
  showWho();
  $("signin").hidden = false;
  $("signout").hidden = true;
  $("report").hidden = true;
  if (source) { source.close(); source = null; }
  $("live").textContent = t("offline"); $("live").className = "";
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
  if (!signedIn) { $("error").textContent = t("enterToken"); return; }
  try {
    const states = $("fdone").checked ? "" : "&state=new&state=claimed&state=acknowledged";
    let url = "/api/events?order=queue&limit=300" + states;
    if ($("ftype").value) url += "&type=" + encodeURIComponent($("ftype").value);
    if ($("fcamera").value) url += "&camera=" + encodeURIComponent($("fcamera").value);
    events = await api(url);
    render();
    const health = await api("/api/health");
    lastHealth = health;
    $("health").innerHTML = health.map((h) => `<tr><td>${esc(h.group)}</td><td>${esc(h.camera)}</td><td>${esc(named("cameraStates", h.state))}${h.mainStream ? " (" + t("main") + ": " + esc(named("cameraStates", h.mainStream.state)) + ")" : ""}</td>
      <td>${h.decodedFps.toFixed(1)}</td><td>${h.analysedFps.toFixed(1)}</td><td>${h.droppedFrames}</td><td>${h.reconnectsLastHour}</td><td>${esc(h.lastError)}</td></tr>`).join("");
    renderWall(health);
    const groups = await api("/api/groups");
    const now = Date.now();
    $("groups").innerHTML = groups.map((g) => {
      const left = Math.round((Date.parse(g.expiresAt) - now) / 1000);
      const lease = !g.node ? t("released") : left > 0 ? t("left")(left) : `<b>${t("expired")(-left)}</b>`;
      return `<tr><td>${esc(g.group)}</td><td>${esc(g.node || "—")}</td><td>${g.epoch}</td><td>${lease}</td></tr>`;
    }).join("") || `<tr><td colspan="4">${t("noGroups")}</td></tr>`;
    const linkage = await api("/api/linkage?limit=20");
    const sinkName = (s) => s.startsWith("webhook:") ? t("webhook") + " " + s.slice(8) : s === "mqtt" ? "MQTT" : s;
    $("relays").innerHTML = linkage.relays.map((r) => {
      // The last update was an error: the subscriber is away and its messages wait.
      const failing = r.lastErrorAt && r.lastErrorAt === r.updatedAt;
      return `<tr class="${failing ? "failing" : ""}"><td>${esc(sinkName(r.sink))}</td><td>${failing ? "<b>" + t("linkRetrying") + "</b>" : t("linkOk")}</td>
        <td>${Math.max(0, r.end - r.seq)}</td><td>${r.delivered}</td><td>${r.lastError ? esc(when(r.lastErrorAt)) + " " + esc(r.lastError) : ""}</td></tr>`;
    }).join("") || `<tr><td colspan="5">${t("noLinkage")}</td></tr>`;
    $("deadLetters").innerHTML = linkage.deadLetters.map((d) => `<tr><td>${esc(sinkName(d.sink))}</td><td><code>${esc(d.eventId.toLowerCase().slice(0, 8))}</code></td>
      <td>${esc(when(d.at))}</td><td>${d.attempts}</td><td>${esc(d.error)}</td></tr>`).join("") || `<tr><td colspan="5">${t("noDeadLetters")}</td></tr>`;
    await refreshCharts();
    $("error").textContent = "";
  } catch (e) { $("error").textContent = e.message; }
}

// The live wall: each camera's latest analysed picture (refreshed every 5 s), its state and its
// latest open event. A home camera has no picture (private by default).
function renderWall(health) {
  const box = $("wall");
  if (!health.length) { box.innerHTML = `<p class="muted">${t("noCameras")}</p>`; return; }
  box.querySelector(".muted")?.remove();
  const stamp = Math.floor(Date.now() / 5000);
  for (const h of health) {
    let card = document.getElementById("cam-" + h.camera);
    if (!card) {
      card = document.createElement("div");
      card.className = "cam"; card.id = "cam-" + h.camera;
      card.innerHTML = `<img alt=""><div class="none" hidden></div><div class="cap"><span class="name"></span><span class="state"></span></div><div class="cap ev"></div>`;
      const img = card.querySelector("img"), none = card.querySelector(".none");
      img.onerror = () => { img.hidden = true; none.hidden = false; none.textContent = t("noPicture"); };
      img.onload = () => { img.hidden = false; none.hidden = true; };
      box.appendChild(card);
    }
    const img = card.querySelector("img");
    const src = `/api/cameras/${encodeURIComponent(h.camera)}/live?t=${stamp}`;
    if (img.getAttribute("src") !== src) img.setAttribute("src", src);
    img.alt = h.camera;
    card.querySelector(".name").textContent = (h.group ? h.group + " · " : "") + h.camera;
    const state = card.querySelector(".state");
    state.textContent = named("cameraStates", h.state);
    state.className = "state" + (h.state === "streaming" ? "" : " down");
    // The camera's latest open event (the queue is in order of urgency, not of time).
    const last = events.filter((e) => e.source.camera === h.camera).sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt))[0];
    card.querySelector(".ev").textContent = last ? `${t("lastEvent")}: ${named("types", last.type)} · ${when(last.occurredAt)}` : "";
  }
}
setInterval(() => { if (signedIn && lastHealth) renderWall(lastHealth); }, 5000);

// Crowd charts: each zone's value over the last hour with its level bands and forecast, redrawn
// at most every 10 s (and at once when the language changes).
let lastHealth = null;
const charts = {};
let chartsAt = 0, chartsLang = "";
async function refreshCharts() {
  if (Date.now() - chartsAt < 10000 && chartsLang === lang) return;
  chartsAt = Date.now();
  if (chartsLang !== lang) { for (const k in charts) { charts[k].destroy(); delete charts[k]; } $("charts").innerHTML = ""; chartsLang = lang; }
  const zones = await api("/api/zones?minutes=60");
  const box = $("charts");
  if (!zones.length) { box.innerHTML = `<p class="muted">${t("noZones")}</p>`; return; }
  if (typeof Chart === "undefined") { box.innerHTML = `<p class="muted">${t("noChartJs")}</p>`; return; }
  box.querySelector(".muted")?.remove();
  for (const z of zones.slice(0, 12)) {
    const key = z.camera + "/" + z.zone;
    let card = document.getElementById("chart-" + key);
    if (!card) {
      card = document.createElement("div");
      card.className = "chart"; card.id = "chart-" + key;
      card.innerHTML = `<div class="chart-title"></div><div class="chart-plot"><canvas></canvas></div>`;
      box.appendChild(card);
    }
    const series = await api(`/api/zones/${encodeURIComponent(z.camera)}/${encodeURIComponent(z.zone)}/series?minutes=60`);
    drawChart(card, key, series);
  }
}

function drawChart(card, key, series) {
  const now = Date.now(), last = series[series.length - 1];
  const points = series.map((s) => ({ x: (Date.parse(s.at) - now) / 60000, y: s.value }));
  const ahead = last.horizonSeconds ? last.horizonSeconds / 60 : 0;
  const xmax = Math.max(1, ahead), xmin = -60;
  const datasets = [{ label: t("measured"), data: points, borderColor: "#1a237e", backgroundColor: "#1a237e", pointRadius: 0, borderWidth: 2, tension: 0.2 }];
  if (last.forecast != null && ahead > 0) {
    datasets.push({ label: t("forecastLine"), data: [points[points.length - 1], { x: points[points.length - 1].x + ahead, y: last.forecast }],
                    borderColor: "#6a1b9a", backgroundColor: "#6a1b9a", borderDash: [6, 4], pointRadius: [0, 4], borderWidth: 2 });
  }
  const colours = ["#1565c0", "#f9a825", "#ef6c00", "#c62828"], levels = ["blue", "yellow", "orange", "red"];
  (last.bands || []).forEach((b, i) => datasets.push({ label: `${named("levels", levels[i])} ${b}`, data: [{ x: xmin, y: b }, { x: xmax, y: b }],
    borderColor: colours[i], backgroundColor: colours[i], borderWidth: 1, borderDash: [2, 3], pointRadius: 0 }));
  // crowd.flow: people over the zone's counting line a minute, on the right-hand axis.
  const flowing = series.filter((s) => s.inPerMinute != null);
  if (flowing.length) {
    const at = (s) => (Date.parse(s.at) - now) / 60000;
    datasets.push({ label: t("flowIn"), yAxisID: "flow", data: flowing.map((s) => ({ x: at(s), y: s.inPerMinute })),
                    borderColor: "#2e7d32", backgroundColor: "#2e7d32", pointRadius: 0, borderWidth: 1.5, tension: 0.2 });
    datasets.push({ label: t("flowOut"), yAxisID: "flow", data: flowing.map((s) => ({ x: at(s), y: s.outPerMinute })),
                    borderColor: "#78909c", backgroundColor: "#78909c", pointRadius: 0, borderWidth: 1.5, tension: 0.2 });
  }
  const unit = last.unit === "density" ? t("perM2") : t("people");
  card.querySelector(".chart-title").textContent = `${last.camera} · ${last.zone} — ${last.value} ${unit}` + (last.level ? ` · ${named("levels", last.level)}` : "")
    + (last.inPerMinute != null ? ` · ${t("flowIn")} ${last.inPerMinute} / ${t("flowOut")} ${last.outPerMinute} ${t("perMin")}` : "");
  if (charts[key]) { charts[key].data.datasets = datasets; charts[key].options.scales.x.max = xmax; charts[key].update("none"); return; }
  charts[key] = new Chart(card.querySelector("canvas"), { type: "line", data: { datasets },
    options: { animation: false, responsive: true, maintainAspectRatio: false,
      scales: { x: { type: "linear", min: xmin, max: xmax, ticks: { callback: (v) => v === 0 ? t("now") : `${v} ${t("min")}` } },
                y: { beginAtZero: true, title: { display: true, text: unit } },
                flow: { position: "right", display: "auto", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: t("perMin") } } },
      plugins: { legend: { labels: { boxWidth: 12 } } } } });
}

// A time in the reader's language.
function when(iso) { return new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB"); }

// A home camera's clear picture or clip: only on a click, and every view is recorded.
function clearLink(e, x, i) {
  return `<a class="clear" target="_blank" rel="noopener" href="/api/events/${e.id}/evidence/${i}" title="${t("recorded")}">${t(x.kind === "clip" ? "clearClip" : "clearPicture")}</a>`;
}

function render() {
  $("queue").innerHTML = events.map((e) => {
    const subject = e.payload && typeof e.payload.subjectRef === "string" ? e.payload.subjectRef : "";
    const reporter = e.payload && typeof e.payload.reporter === "string" ? e.payload.reporter : "";
    const where = [subject, reporter || e.source.camera || e.source.producer, e.source.zone, e.location && e.location.address].filter(Boolean).join(" · ");
    // A home camera's pictures: the blurred one here; its clear picture and clip only on a click, each view recorded.
    const evidence = e.evidence || [];
    const shown = evidence.find((x) => x.kind === "snapshot" && x.privacy !== "clear");
    const snap = (shown ? `<img class="snap" alt="${t(shown.privacy === "blurred" ? "blurred" : "snapshotAlt")}" src="/api/snapshots/${e.id}">` : "")
      + evidence.map((x, i) => x.privacy === "clear" ? clearLink(e, x, i) : "").join("");
    const open = ["new", "claimed"].includes(e.state);
    const ack = e.priority === "P1" && open ? `<span class="countdown" data-published="${esc(e.publishedAt)}"></span>` : "";
    const buttons = [
      e.state === "new" ? `<button data-act="claim" data-id="${e.id}">${t("claim")}</button>` : "",
      open ? `<button data-act="acknowledge" data-id="${e.id}">${t("acknowledge")}</button>` : "",
      ["claimed", "acknowledged"].includes(e.state) ? `<button data-act="resolve" data-id="${e.id}">${t("resolve")}</button>` : "",
      ["new", "claimed", "acknowledged"].includes(e.state) ? `<button data-act="false_alarm" data-id="${e.id}">${t("false_alarm")}</button>` : "",
    ].join("");
    return `<tr class="${e.priority}" data-id="${e.id}"><td class="pri">${e.priority}</td><td>${ack}</td>
      <td title="${esc(e.type)}${e.subtype ? "/" + esc(e.subtype) : ""}">${esc(named("types", e.type))}${e.subtype ? " · " + esc(named("subtypes", e.subtype)) : ""}${e.level ? (lang === "zh" ? "（" + esc(named("levels", e.level)) + "）" : " (" + esc(e.level) + ")") : ""}${e.repeats ? " ×" + (e.repeats + 1) : ""}</td>
      <td>${esc(where)}</td><td>${esc(when(e.occurredAt))}</td>
      <td class="state">${esc(named("states", e.state))}${e.claimedBy ? " · " + esc(e.claimedBy) : ""}${e.escalationStep ? ' <span class="overdue">' + t("escalated") + " " + e.escalationStep + "</span>" : ""}</td>
      <td>${snap}</td><td>${buttons}</td></tr>`;
  }).join("");
  tick();
  alarm();
}

// A new P1 (a fall, a red crowd) sounds and shows until someone acknowledges it: a banner while any
// P1 is new or claimed, a two-tone beep every 2 s (Web Audio: no sound file; browsers allow it only
// after a click on the page, so until then the banner asks for one), and a system notification
// for each new one when the operator allowed them.
let audio = null;
const notified = new Set();
function unacknowledgedP1() { return events.filter((e) => e.priority === "P1" && ["new", "claimed"].includes(e.state)); }
function alarm() {
  const open = unacknowledgedP1();
  const banner = $("alarm");
  banner.hidden = open.length === 0;
  if (!open.length) return;
  const sounding = audio && audio.state === "running";
  banner.textContent = t("alarm")(open.length) + (sounding ? "" : t("soundOff"));
  if (sounding) {
    for (const [i, f] of [[0, 880], [1, 660]]) {
      const o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = f; g.gain.value = 0.15;
      o.connect(g).connect(audio.destination);
      o.start(audio.currentTime + i * 0.25); o.stop(audio.currentTime + i * 0.25 + 0.2);
    }
  }
  if ("Notification" in window && Notification.permission === "granted") {
    for (const e of open) {
      if (notified.has(e.id)) continue;
      notified.add(e.id);
      new Notification("Retina · " + named("types", e.type), { body: [e.payload && e.payload.subjectRef, e.source.camera || e.source.producer].filter(Boolean).join(" · "), tag: e.id });
    }
  }
}
function enableSound() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!audio && Context) audio = new Context();
  if (audio && audio.state !== "running") audio.resume();
  if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
}
document.addEventListener("click", enableSound);
document.addEventListener("keydown", enableSound);
setInterval(alarm, 2000);

// One event in full: its picture, its clip playable here (the server answers range requests), its
// history as a timeline, a note; keyboard shortcuts act on it.
let detailId = null;
// What the detector saw, drawn over the snapshot: the zone's outline and each box with its class
// and score (both in 0…1 of the picture, so an SVG of viewBox 0 0 1 1 over the image fits them).
function overlay(e) {
  const p = e.payload || {};
  const zone = Array.isArray(p.zonePolygon) && p.zonePolygon.length >= 3
    ? `<polygon class="zone" points="${p.zonePolygon.map(([x, y]) => `${+x},${+y}`).join(" ")}"/>` : "";
  const boxes = (Array.isArray(p.detections) ? p.detections : []).map((d) => {
    const [x, y, w, h] = (d.box || []).map(Number);
    return `<rect class="${d.class === "person" ? "person" : "other"}" x="${x}" y="${y}" width="${w}" height="${h}"><title>${esc(d.class)} ${d.score}</title></rect>`;
  }).join("");
  return zone || boxes ? `<svg class="overlay" viewBox="0 0 1 1" preserveAspectRatio="none">${zone}${boxes}</svg>` : "";
}

async function openDetail(id) {
  try {
    const { event: e, history } = await api(`/api/events/${id}`);
    detailId = id;
    const evidence = e.evidence || [];
    const picture = evidence.some((x) => x.kind === "snapshot" && x.privacy !== "clear")
      ? `<div class="shot"><img class="full" alt="${t("snapshotAlt")}" src="/api/snapshots/${e.id}">${overlay(e)}</div>` : "";
    const media = evidence.map((x, i) => x.privacy === "clear" ? clearLink(e, x, i)
      : x.kind === "clip" ? `<div>${t("clip")}</div><video controls preload="metadata" src="/api/events/${e.id}/evidence/${i}"></video>` : "").join("");
    const timeline = history.map((h) => `<li>${esc(when(h.at))} · <b>${esc(h.actor)}</b> ·
      ${esc(TEXT[lang].actions_[h.action] || h.action)}${h.note ? " — " + esc(h.note) : ""}</li>`).join("");
    $("detailBody").innerHTML = `<h2>${esc(named("types", e.type))}${e.subtype ? " · " + esc(named("subtypes", e.subtype)) : ""} · ${esc(e.priority)}</h2>
      <div>${esc([e.payload && e.payload.subjectRef, e.source.camera || e.source.producer, e.source.zone].filter(Boolean).join(" · "))}</div>
      <div>${esc(when(e.occurredAt))} · ${esc(named("states", e.state))}</div>
      ${e.payload && typeof e.payload.note === "string" ? `<p>${esc(e.payload.reporter || "")}: ${esc(e.payload.note)}</p>` : ""}
      ${picture}${media}
      <div>${[["claim", e.state === "new"], ["acknowledge", ["new", "claimed"].includes(e.state)],
              ["resolve", ["claimed", "acknowledged"].includes(e.state)], ["false_alarm", ["new", "claimed", "acknowledged"].includes(e.state)]]
             .filter(([, ok]) => ok).map(([a]) => `<button data-detail-act="${a}">${t(a)}</button>`).join("")}</div>
      <h2>${t("history")}</h2><ol id="timeline">${timeline}</ol>
      <textarea id="noteText" rows="2" placeholder="${t("note")}"></textarea> <button id="saveNote">${t("addNote")}</button>
      <p class="keys">${t("keys")}</p>`;
    $("detail").hidden = false;
    $("saveNote").onclick = () => act("note", { note: $("noteText").value });
    for (const b of document.querySelectorAll("[data-detail-act]")) b.onclick = () => act(b.dataset.detailAct);
  } catch (err) { $("error").textContent = err.message; }
}
function closeDetail() { detailId = null; $("detail").hidden = true; $("detailBody").innerHTML = ""; }
async function act(action, body = {}) {
  if (!detailId) return;
  try { await api(`/api/events/${detailId}/${action}`, { method: "POST", body: JSON.stringify(body) }); await refresh(); await openDetail(detailId); }
  catch (err) { $("error").textContent = err.message; }
}
$("closeDetail").addEventListener("click", closeDetail);

// Grid staff report what they see on patrol: a note, where, a photo from the phone's camera.
function openReport() {
  detailId = null;
  $("detailBody").innerHTML = `<h2>${t("report")}</h2>
    <p><textarea id="reportNote" rows="3" placeholder="${t("reportNote")}"></textarea></p>
    <p><input id="reportPlace" placeholder="${t("reportPlace")}" style="width:100%;box-sizing:border-box"></p>
    <p><label>${t("reportPhoto")} <input id="reportPhoto" type="file" accept="image/jpeg,image/png" capture="environment"></label></p>
    <button id="sendReport">${t("send")}</button> <span id="reportDone"></span>`;
  $("detail").hidden = false;
  $("sendReport").onclick = sendReport;
}
async function sendReport() {
  const body = { note: $("reportNote").value, place: $("reportPlace").value || undefined };
  const file = $("reportPhoto").files[0];
  if (file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    body.photo = btoa(binary);
  }
  try {
    const e = await api("/api/reports", { method: "POST", body: JSON.stringify(body) });
    $("reportDone").textContent = t("reported");
    await refresh();
    openDetail(e.id);
  } catch (err) { $("error").textContent = err.message; }
}
$("report").addEventListener("click", openReport);
document.addEventListener("keydown", (ev) => {
  if (!detailId || ev.ctrlKey || ev.metaKey || ev.altKey || ["INPUT", "TEXTAREA"].includes(document.activeElement.tagName)) return;
  const action = { c: "claim", a: "acknowledge", r: "resolve" }[ev.key.toLowerCase()];
  if (ev.key === "Escape") closeDetail();
  else if (action) { ev.preventDefault(); act(action); }
});

function tick() {
  for (const el of document.querySelectorAll(".countdown")) {
    const left = Math.round(60 - (Date.now() - Date.parse(el.dataset.published)) / 1000);
    el.innerHTML = left > 0 ? left + " " + t("seconds") : '<span class="overdue">' + t("overdue") + " " + (-left) + " " + t("seconds") + "</span>";
  }
}

$("queue").addEventListener("click", async (ev) => {
  const b = ev.target.closest("button[data-act]");
  if (!b) {
    const row = ev.target.closest("tr[data-id]");
    if (row && !ev.target.closest("a")) openDetail(row.dataset.id);
    return;
  }
  try { await api(`/api/events/${b.dataset.id}/${b.dataset.act}`, { method: "POST", body: "{}" }); await refresh(); }
  catch (e) { $("error").textContent = e.message; }
});

function connect() {
  if (source) source.close();
  if (!signedIn) return;
  source = new EventSource("/api/stream");
  source.onopen = () => { $("live").textContent = t("live"); $("live").className = "on"; };
  source.onerror = () => { $("live").textContent = t("reconnecting"); $("live").className = ""; };
  source.addEventListener("change", () => refresh());
}

tokenInput.addEventListener("change", signIn);
$("lang").addEventListener("click", () => {
  lang = lang === "zh" ? "en" : "zh";
  localStorage.setItem("retina.lang", lang);
  applyLanguage(); render(); refresh();
});
applyLanguage();
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
