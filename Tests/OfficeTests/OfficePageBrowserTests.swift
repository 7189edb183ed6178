import Events
import Evidence
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Office
import RetinaTestSupport
import Testing

/// The operator's page in a real headless Chromium, driven through chromedriver's WebDriver API:
/// the page loads, a fall published by a producer appears live (no reload), the operator
/// acknowledges it with a click, and the store has it acknowledged under the operator's name.
@Suite(.serialized, .timeLimit(.minutes(2)), .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"),
                              "needs chromium and chromium-driver (scripts/install-deps.sh installs them)"))
struct OfficePageBrowserTests {
    struct WebDriver {
        let base: String
        var session = ""

        /// One WebDriver command, sent by curl (URLSession on Linux fails on chromedriver's answers:
        /// "Failed writing header").
        func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
            var args = ["-s", "--max-time", "60", "-X", method, base + path]
            if let body {
                args += ["-H", "Content-Type: application/json", "--data-binary", String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)]
            }
            // curl blocks: run it off Swift's cooperative threads, which the server under test needs.
            let fixed = args
            let result = await withCheckedContinuation { c in
                Thread { c.resume(returning: Result { try Fixtures.run("/usr/bin/curl", fixed) }) }.start()
            }
            let (status, output) = try result.get()
            guard status == 0 else { throw FixtureError("webdriver \(path): curl exit \(status)") }
            let json = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            if let value = json?["value"] as? [String: Any], let error = value["error"] as? String {
                throw FixtureError("webdriver \(path): \(error): \(value["message"] ?? "")")
            }
            return json?["value"]
        }

        func script(_ js: String) async throws -> Any? {
            try await call("POST", "/session/\(session)/execute/sync", ["script": js, "args": []])
        }
    }

    @Test func aFallAppearsLiveAndIsAcknowledgedFromThePage() async throws {
        let dir = Fixtures.temporaryDirectory("office-browser")
        let store = try SQLiteEventStore(path: dir + "/events.db")
        let port = Fixtures.freePort()
        let ready = AsyncStream<Void>.makeStream()
        let server = Task { try await OfficeServer(store: store, evidence: EvidenceRoot(path: dir + "/evidence"), port: port).run { _ in ready.continuation.yield() } }
        defer { server.cancel() }
        for await _ in ready.stream { break }  // the port is open
        let operatorToken = try await store.createToken(name: "Wang Li", role: .operator_)
        let producerToken = try await store.createToken(name: "fall-gateway", role: .producer)
        // Something already in the queue, so the fall has to go to the top.
        _ = try await store.publish([Event(type: "crowd.density", priority: .p3, level: .yellow,
                                           source: EventSource(producer: "retina", camera: "plaza-1"), occurredAt: Date())])

        let driverPort = Fixtures.freePort()
        let chromedriver = Process()
        chromedriver.executableURL = URL(fileURLWithPath: "/usr/bin/chromedriver")
        chromedriver.arguments = ["--port=\(driverPort)"]
        chromedriver.standardOutput = FileHandle.nullDevice
        chromedriver.standardError = FileHandle.nullDevice
        try chromedriver.run()
        var driver = WebDriver(base: "http://127.0.0.1:\(driverPort)")
        // Whatever the test does, the browser session is closed and chromedriver stopped before it
        // returns (SIGKILL if SIGTERM is not enough): a test run leaves no browser behind.
        defer { Self.stop(chromedriver) }
        for _ in 0..<100 {
            if (try? await driver.call("GET", "/status")) != nil { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let created = try await driver.call("POST", "/session", ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": ["binary": "/usr/bin/chromium",
                                   "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]],
        ]]]) as? [String: Any]
        driver.session = try #require(created?["sessionId"] as? String)
        do {
            try await drive(driver, page: "http://127.0.0.1:\(port)/", port: port, store: store, operatorToken: operatorToken, producerToken: producerToken,
                            evidenceFolder: dir + "/evidence")
        } catch {
            _ = try? await driver.call("DELETE", "/session/\(driver.session)")
            throw error
        }
        _ = try? await driver.call("DELETE", "/session/\(driver.session)")
    }

    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<20 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    func drive(_ driver: WebDriver, page: String, port: Int, store: SQLiteEventStore, operatorToken: String, producerToken: String,
               evidenceFolder: String) async throws {
        // A property office's webhook that refused one message and is down now.
        let crowd = try #require(try await store.outbox(after: 0, limit: 1).first)
        #expect(try await store.holdRelay("webhook:property-7", holder: "node-a", ttl: 60, now: Date()) != nil)
        try await store.deadLetter("webhook:property-7", holder: "node-a", entry: crowd, attempts: 1, error: "HTTP 422: unknown type", now: Date())
        try await store.advanceRelay("webhook:property-7", holder: "node-a", to: 0, delivered: 0, error: "HTTP 503", now: Date())
        // Two cameras report: a street camera with its live picture, a home camera (never one).
        let evidenceDir = evidenceFolder
        try FileManager.default.createDirectory(atPath: evidenceDir + "/live", withIntermediateDirectories: true)
        let live = try Fixtures.run(try #require(Fixtures.which("ffmpeg")), ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=640x360",
                                                                            "-frames:v", "1", evidenceDir + "/live/plaza-1.jpg"])
        #expect(live.status == 0)
        try await store.reportHealth(["plaza-1", "home-3"].map {
            CameraHealthRecord(camera: $0, group: "compound-7", state: .streaming, since: Date(), lastError: nil, decodedFps: 25, analysedFps: 5,
                               droppedFrames: 0, reconnectsLastHour: 0, stallsLastHour: 0, reportedAt: Date())
        })
        // Twenty minutes of a zone's crowd, rising into yellow, for its chart.
        let now = Date()
        try await store.recordZoneSamples((0..<120).map { i in
            let value = 1.0 + Double(i) / 100
            return ZoneSample(camera: "plaza-1", zone: "east-gate", group: nil, at: now.addingTimeInterval(Double(i - 120) * 10), count: value * 40,
                              value: value, unit: "density", level: value >= 2 ? .yellow : .blue, bands: [1.5, 2, 3.5, 5], forecast: 2.6,
                              horizonSeconds: 300, inPerMinute: Double(10 + i % 7), outPerMinute: 4)
        }, keep: 86_400)

        // Load the page and paste the operator's token: the page signs in (an HttpOnly cookie) and
        // forgets the token; a reload stays signed in by the cookie alone.
        _ = try await driver.call("POST", "/session/\(driver.session)/url", ["url": page])
        _ = try await driver.script("const t = document.getElementById('token'); t.value = '\(operatorToken)'; t.dispatchEvent(new Event('change'))")
        #expect(try await waitFor { try await driver.script("return document.getElementById('who').textContent") as? String == "Wang Li（值班员）" },
                "the page did not sign in")
        _ = try await driver.call("POST", "/session/\(driver.session)/url", ["url": page])
        let visible = try await driver.script("return document.cookie + document.documentElement.outerHTML + JSON.stringify(localStorage)") as? String
        #expect(visible.map { !$0.contains(operatorToken) } == true, "the token is readable by the page's script")
        #expect(try await waitFor { try await driver.script("return document.getElementById('live').textContent") as? String == "实时" },
                "the page did not connect to the live stream")
        #expect(try await driver.script("return document.querySelectorAll('#queue tr').length") as? Int == 1)
        // An error says what it means in the reader's language, then the server's detail.
        let refused = try await driver.script("""
            return api('/api/events/00000000-0000-4000-8000-000000000000/acknowledge', {method: 'POST', body: '{}'}).then(() => 'ok', (e) => e.message)
            """) as? String ?? ""
        #expect(refused.hasPrefix("未找到 (404): "), "error: \(refused)")
        // A crowd event's detail: its snapshot with the zone's outline and the detector's boxes drawn on it.
        let shotPath = evidenceDir + "/shot.jpg"
        #expect(try Fixtures.run(try #require(Fixtures.which("ffmpeg")), ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=640x360",
                                                                         "-frames:v", "1", shotPath]).status == 0)
        let shot = try EvidenceRoot(path: evidenceDir).store(try Data(contentsOf: URL(fileURLWithPath: shotPath)), relative: "snapshots/plaza-1/crowd.jpg",
                                                             kind: .snapshot, mime: "image/jpeg")
        var crowdEvent = Event(type: "crowd.density", priority: .p2, level: .orange, source: EventSource(producer: "retina", camera: "plaza-1", zone: "east-gate"),
                               occurredAt: Date(), payload: .object([
                                   "zonePolygon": .array([[0.1, 0.2], [0.6, 0.2], [0.6, 0.9], [0.1, 0.9]].map { .array($0.map { .number($0) }) }),
                                   DetectedObject.payloadKey: DetectedObject.json([DetectedObject(className: "person", score: 0.9, x: 0.2, y: 0.3, width: 0.1, height: 0.4),
                                                                                   DetectedObject(className: "bicycle", score: 0.7, x: 0.4, y: 0.5, width: 0.15, height: 0.2)]),
                               ]))
        crowdEvent.evidence = [shot]
        _ = try await store.publish([crowdEvent])
        _ = try await driver.script("openDetail('\(crowdEvent.id.uuidString.lowercased())')")
        #expect(try await waitFor {
            try await driver.script("""
                const i = document.querySelector('#detailBody .shot img'); const s = document.querySelector('#detailBody .shot svg.overlay');
                return i && i.complete && i.naturalWidth > 0 && s ? [s.querySelectorAll('polygon.zone').length, s.querySelectorAll('rect.person').length,
                  s.querySelectorAll('rect.other').length, Math.round(s.getBoundingClientRect().height - i.getBoundingClientRect().height)].join(',') : ''
                """) as? String == "1,1,1,0"
        }, "the snapshot's overlay is missing or does not cover the picture")
        _ = try await driver.script("closeDetail()")
        // The live wall: the street camera's picture, and none for the home camera.
        #expect(try await waitFor {
            try await driver.script("const i = document.querySelector('#cam-plaza-1 img'); return i && i.complete ? i.naturalWidth : 0") as? Int == 640
        }, "no live picture on the wall")
        #expect(try await waitFor {
            try await driver.script("const n = document.querySelector('#cam-home-3 .none'); return n && !n.hidden ? n.textContent : ''") as? String == "无画面"
        }, "the home camera's card does not say it has no picture")
        // The zone's chart: drawn by Chart.js (served by Retina) with the series, its four bands and the forecast.
        #expect(try await waitFor {
            try await driver.script("return document.querySelectorAll('#charts canvas').length") as? Int == 1
        }, "no crowd chart")
        let chart = try await driver.script("""
            const c = Chart.getChart(document.querySelector('#charts canvas'));
            return [c.data.datasets.length, c.data.datasets[0].data.length, document.querySelector('#charts .chart-title').textContent].join('|')
            """) as? String
        // Six of the crowd, then people in and out over the gate's line a minute (crowd.flow).
        #expect(chart == "8|120|plaza-1 · east-gate — 2.19 人/平方米 · 黄色 · 进入 10 / 离开 4 人/分钟", "chart: \(chart ?? "none")")

        let relays = try await driver.script("return document.getElementById('relays').innerText") as? String ?? ""
        #expect(relays.contains("Webhook property-7") && relays.contains("重试中") && relays.contains("HTTP 503"), "linkage: \(relays)")
        let dead = try await driver.script("return document.getElementById('deadLetters').innerText") as? String ?? ""
        #expect(dead.contains(String(crowd.after.id.uuidString.lowercased().prefix(8))) && dead.contains("HTTP 422: unknown type"), "dead letters: \(dead)")

        // A producer publishes a fall over the API; the page shows it without a reload, first.
        let fall = """
        {"id": "5a0f3c1e-2b4d-4e6f-8a9b-0c1d2e3f4a5b", "type": "fall.detected", "source": {"producer": "fall-detection"},
         "occurredAt": "\(RFC3339.format(Date()))", "payload": {"subjectRef": "resident-0412", "deviceType": "radar"}}
        """
        var publish = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/events")!)
        publish.httpMethod = "POST"
        publish.httpBody = Data(fall.utf8)
        publish.setValue("Bearer \(producerToken)", forHTTPHeaderField: "Authorization")
        let (_, response) = try await URLSession.shared.data(for: publish)
        #expect((response as? HTTPURLResponse)?.statusCode == 202)
        #expect(try await waitFor {
            (try await driver.script("const r = document.querySelector('#queue tr'); return r ? r.className + ' ' + r.innerText : ''") as? String)?
                .hasPrefix("P1") == true
        }, "the fall did not appear at the top of the queue")
        let firstRow = try await driver.script("return document.querySelector('#queue tr').innerText") as? String ?? ""
        // In Chinese first: the fall by its name, with its acknowledgement countdown.
        #expect(firstRow.contains("跌倒告警") && firstRow.contains("秒"), "first row: \(firstRow)")

        // Until someone acknowledges it, the P1 alarm shows (and sounds, once the page was clicked).
        #expect(try await waitFor {
            (try await driver.script("const a = document.getElementById('alarm'); return a.hidden ? '' : a.textContent") as? String)?
                .hasPrefix("1 条一级告警未确认") == true
        }, "no P1 alarm banner")

        // The operator clicks Acknowledge on it.
        let button = try await driver.call("POST", "/session/\(driver.session)/element",
                                           ["using": "css selector", "value": "#queue tr.P1 button[data-act=acknowledge]"]) as? [String: Any]
        let element = try #require(button?.values.first as? String)
        _ = try await driver.call("POST", "/session/\(driver.session)/element/\(element)/click", [:])
        let id = UUID(uuidString: "5a0f3c1e-2b4d-4e6f-8a9b-0c1d2e3f4a5b")!
        #expect(try await waitFor { try await store.event(id: id)?.state == .acknowledged }, "the store never saw the acknowledgement")
        let history = try await store.history(of: id)
        #expect(history.last?.action == "acknowledge" && history.last?.actor == "Wang Li")
        #expect(try await waitFor {
            (try await driver.script("return document.querySelector('#queue tr.P1 .state').innerText") as? String)?.hasPrefix("已确认") == true
        })
        #expect(try await driver.script("return document.getElementById('alarm').hidden") as? Bool == true, "the alarm outlived the acknowledgement")

        // Its detail: a click on the row opens its history; R resolves it from the keyboard.
        _ = try await driver.script("document.querySelector('#queue tr.P1 td:nth-child(3)').click()")
        #expect(try await waitFor {
            (try await driver.script("const t = document.getElementById('timeline'); return t ? t.innerText : ''") as? String).map {
                $0.contains("发布") && $0.contains("确认") && $0.contains("Wang Li")
            } == true
        }, "the detail's timeline does not show the publication and the acknowledgement")
        _ = try await driver.script("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'r'}))")
        #expect(try await waitFor { try await store.event(id: id)?.state == .resolved }, "R did not resolve the event")
        _ = try await driver.script("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}))")
        #expect(try await driver.script("return document.getElementById('detail').hidden") as? Bool == true)
        _ = try await driver.script("document.getElementById('fdone').click()")  // show resolved: the English check below reads it

        // English by the switch: the same queue in English, and it stays so on a reload.
        _ = try await driver.script("document.getElementById('lang').click()")
        #expect(try await waitFor {
            (try await driver.script("return document.querySelector('#queue tr.P1').innerText") as? String).map {
                $0.contains("fall.detected") && $0.contains("resolved")
            } == true
        }, "the switch did not show the queue in English")
        _ = try await driver.call("POST", "/session/\(driver.session)/refresh", [:])
        #expect(try await waitFor { try await driver.script("return document.getElementById('who').textContent") as? String == "Wang Li (operator)" })
        #expect(try await driver.script("return document.documentElement.lang") as? String == "en")

        // Grid staff report what they saw, with a photo chosen in the form (WebDriver sends the file).
        let photo = Fixtures.temporaryDirectory("office-report") + "/photo.jpg"
        let ff = try Fixtures.run(try #require(Fixtures.which("ffmpeg")), ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120", "-frames:v", "1", photo])
        #expect(ff.status == 0)
        _ = try await driver.script("document.getElementById('report').click()")
        _ = try await driver.script("document.getElementById('reportNote').value = 'Blocked fire exit'; document.getElementById('reportPlace').value = 'Building 7'")
        let input = try await driver.call("POST", "/session/\(driver.session)/element", ["using": "css selector", "value": "#reportPhoto"]) as? [String: Any]
        let fileInput = try #require(input?.values.first as? String)
        _ = try await driver.call("POST", "/session/\(driver.session)/element/\(fileInput)/value", ["text": photo])
        _ = try await driver.script("document.getElementById('sendReport').click()")
        #expect(try await waitFor {
            try await store.list(EventQuery(types: [.reportManual])).first.map { $0.payload["reporter"]?.stringValue == "Wang Li" && $0.evidence.count == 1 } == true
        }, "the report with its photo did not reach the queue")

        // On a phone (390×844, grid staff on patrol): each event a card, nothing wider than the screen.
        _ = try await driver.call("POST", "/session/\(driver.session)/window/rect", ["width": 390, "height": 844])
        #expect(try await waitFor { (try await driver.script("return window.innerWidth") as? Int ?? 999) <= 400 }, "the window did not narrow")
        let phone = try await driver.script("""
            const q = document.querySelector('table.queue'), row = q.querySelector('tbody tr');
            return [getComputedStyle(q.querySelector('thead')).display, getComputedStyle(row).display,
                    document.documentElement.scrollWidth <= window.innerWidth + 1].join(',')
            """) as? String
        #expect(phone == "none,block,true", "phone layout: \(phone ?? "none")")

        // Signing out ends the session: after a reload the page asks for a token again.
        _ = try await driver.script("document.getElementById('signout').click()")
        #expect(try await waitFor { try await driver.script("return document.getElementById('signin').hidden") as? Bool == false })
        _ = try await driver.call("POST", "/session/\(driver.session)/refresh", [:])
        try await Task.sleep(for: .seconds(1))
        #expect(try await driver.script("return document.getElementById('signin').hidden") as? Bool == false, "still signed in after signing out")
        #expect(try await driver.script("return document.getElementById('who').textContent") as? String == "")
    }

    /// Polls `condition` every 200 ms for up to 10 s.
    func waitFor(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<50 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }
}
