import Foundation
import Media
import Testing
import Vision
import Vocabulary
import Worker

@Suite struct EpisodePolicyTests {
    let d = Detection(type: "motion.detected", zone: "all", score: 0.1)

    @Test func oneEventPerEpisode() {
        var p = EpisodePolicy(cooldown: 10)
        let t0 = Date(timeIntervalSince1970: 1000)
        var opened = 0
        // Motion every 0.2 s for 30 s: one episode.
        for i in 0..<150 { opened += p.observe([d], at: t0.addingTimeInterval(Double(i) * 0.2), camera: "c").count }
        #expect(opened == 1)
        // Quiet for longer than the cooldown, then motion again: a new episode.
        #expect(p.observe([d], at: t0.addingTimeInterval(30 + 11), camera: "c").count == 1)
    }

    @Test func zonesAreSeparateEpisodes() {
        var p = EpisodePolicy(cooldown: 10)
        let t = Date()
        let both = [d, Detection(type: "motion.detected", zone: "gate", score: 0.1)]
        let opened = p.observe(both, at: t, camera: "c")
        #expect(opened.map(\.detection.zone) == ["all", "gate"])
        #expect(Set(opened.map(\.dedupKey)).count == 2)
    }
}

@Suite struct OutageReporterTests {
    let t0 = Date(timeIntervalSince1970: 1000)

    @Test func oneOfflineAndOneOnlinePerOutage() {
        var r = OutageReporter(offlineAfter: 10)
        #expect(r.update(.streaming, reason: nil, at: t0) == nil)
        #expect(r.update(.stalled, reason: "stalled", at: t0.addingTimeInterval(1)) == nil)
        var reports: [OutageReporter.Report] = []
        // Many retries over two minutes.
        for i in 0..<60 {
            let t = t0.addingTimeInterval(2 + Double(i) * 2)
            for s in [CameraState.connecting, .backoff] {
                if let x = r.update(s, reason: "refused", at: t) { reports.append(x) }
            }
            if let x = r.tick(at: t) { reports.append(x) }
        }
        #expect(reports.count == 1)
        if case .offline(let since, _) = reports.first { #expect(since == t0.addingTimeInterval(1)) } else { Issue.record("no offline report") }
        let back = r.update(.streaming, reason: nil, at: t0.addingTimeInterval(200))
        #expect(back == .online(downFor: 199))
        #expect(r.tick(at: t0.addingTimeInterval(300)) == nil)
    }

    @Test func aShortBlipIsNotAnOutage() {
        var r = OutageReporter(offlineAfter: 10)
        _ = r.update(.streaming, reason: nil, at: t0)
        #expect(r.update(.backoff, reason: "end of stream", at: t0.addingTimeInterval(1)) == nil)
        #expect(r.update(.streaming, reason: nil, at: t0.addingTimeInterval(2)) == nil)
        #expect(r.tick(at: t0.addingTimeInterval(60)) == nil)
    }

    @Test func aCameraThatNeverConnectsIsReportedOffline() {
        var r = OutageReporter(offlineAfter: 5)
        #expect(r.update(.connecting, reason: nil, at: t0) == nil)
        #expect(r.update(.failed, reason: "401", at: t0.addingTimeInterval(1)) == nil)
        #expect(r.tick(at: t0.addingTimeInterval(6)) == .offline(since: t0, reason: "401"))
    }

    /// Issue 15: an open that times out at the moment the outage comes of age has reported no error
    /// yet; the event still says what is known.
    @Test func anOutageWithoutAnErrorYetSaysWhatIsKnown() {
        var r = OutageReporter(offlineAfter: 10)
        #expect(r.update(.connecting, reason: nil, at: t0) == nil)
        #expect(r.tick(at: t0.addingTimeInterval(10)) == .offline(since: t0, reason: "not connected after 10 s (opening)"))

        var stalled = OutageReporter(offlineAfter: 2.5)
        _ = stalled.update(.streaming, reason: nil, at: t0)
        #expect(stalled.update(.stalled, reason: nil, at: t0.addingTimeInterval(1)) == nil)
        #expect(stalled.tick(at: t0.addingTimeInterval(3.5)) == .offline(since: t0.addingTimeInterval(1), reason: "stalled: no frame for over 2.5 s"))
    }

    /// The reason of an outage that ended is not the reason of the next one.
    @Test func theNextOutageDoesNotInheritTheLastReason() {
        var r = OutageReporter(offlineAfter: 5)
        _ = r.update(.failed, reason: "401 Unauthorized", at: t0)
        #expect(r.tick(at: t0.addingTimeInterval(5)) == .offline(since: t0, reason: "401 Unauthorized"))
        _ = r.update(.streaming, reason: nil, at: t0.addingTimeInterval(6))
        _ = r.update(.backoff, reason: nil, at: t0.addingTimeInterval(100))
        #expect(r.tick(at: t0.addingTimeInterval(105)) == .offline(since: t0.addingTimeInterval(100), reason: "not connected after 5 s (waiting to reconnect)"))
    }
}
