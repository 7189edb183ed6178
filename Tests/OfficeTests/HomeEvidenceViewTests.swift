import Events
import Evidence
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Office
import RetinaTestSupport
import Testing

/// A home camera's evidence in the office: the snapshot anyone on duty sees is the blurred one;
/// the clear picture is served only through its own address, and every view of it is in the
/// event's history with who looked.
@Suite(.serialized, .timeLimit(.minutes(2))) struct HomeEvidenceViewTests {
    typealias S = OfficeServerTests

    /// The answer's bytes as they came (a JPEG is no UTF-8).
    static func fetch(_ url: String, token: String, range: String? = nil) async throws -> (status: Int, data: Data, cache: String?, contentRange: String?) {
        var r = URLRequest(url: URL(string: url)!)
        r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let range { r.setValue(range, forHTTPHeaderField: "Range") }
        let (data, response) = try await URLSession.shared.data(for: r)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, data, http?.value(forHTTPHeaderField: "Cache-Control"), http?.value(forHTTPHeaderField: "Content-Range"))
    }

    @Test func aClipIsServedInRangesAndAViewIsOnePlaybackNotEveryRange() async throws {
        let s = try await S.start()
        defer { s.task.cancel() }
        let uri = "clips/home-1/fall.mp4"
        try FileManager.default.createDirectory(atPath: s.evidence + "/clips/home-1", withIntermediateDirectories: true)
        try Fixtures.makeClip(s.evidence + "/" + uri, seconds: 2, width: 320, height: 240)
        let data = try Data(contentsOf: URL(fileURLWithPath: s.evidence + "/" + uri))
        let clip = EvidenceRef(kind: .clip, uri: uri, mime: "video/mp4", size: data.count, sha256: Checksum.sha256Hex(data), privacy: .clear)
        let fall = Event(type: .fallDetected, priority: .p1, source: EventSource(producer: "retina", camera: "home-1"), occurredAt: Date(),
                         payload: .object(["subjectRef": .string("resident-0412")]), evidence: [clip])
        _ = try await s.store.publish([fall])
        let op = try await s.store.createToken(name: "Wang Li", role: .operator_)
        let url = s.base + "/api/events/\(fall.id.uuidString.lowercased())/evidence/0"
        // A player starts from the first byte (a view), then seeks (no new view).
        let first = try await Self.fetch(url, token: op, range: "bytes=0-99")
        #expect(first.status == 206 && first.data == data.prefix(100) && first.contentRange == "bytes 0-99/\(data.count)")
        let rest = try await Self.fetch(url, token: op, range: "bytes=100-")
        #expect(rest.status == 206 && rest.data == data.dropFirst(100) && rest.contentRange == "bytes 100-\(data.count - 1)/\(data.count)")
        let tail = try await Self.fetch(url, token: op, range: "bytes=-10")
        #expect(tail.status == 206 && tail.data == data.suffix(10))
        #expect(try await Self.fetch(url, token: op, range: "bytes=\(data.count)-").status == 416)
        let whole = try await Self.fetch(url, token: op)
        #expect(whole.status == 200 && whole.data == data)
        let views = try await s.store.history(of: fall.id).filter { $0.action == "evidence_viewed" }
        #expect(views.count == 2, "a view per playback from the first byte and per whole file, not per range: \(views.count)")
    }

    @Test func theClearPictureIsServedOnlyOnRequestAndEveryViewIsRecorded() async throws {
        let s = try await S.start()
        defer { s.task.cancel() }
        var refs: [EvidenceRef] = []
        for (name, privacy, size) in [("blurred", EvidencePrivacy.blurred, "64x48"), ("clear", .clear, "80x60")] {
            let uri = "snapshots/home-1/\(name).jpg"
            try OfficeHardeningTests.jpeg(s.evidence + "/" + uri, size: size)
            let data = try Data(contentsOf: URL(fileURLWithPath: s.evidence + "/" + uri))
            refs.append(EvidenceRef(kind: .snapshot, uri: uri, mime: "image/jpeg", size: data.count, sha256: Checksum.sha256Hex(data), privacy: privacy))
        }
        // The clear one first: the snapshot shown must still be the blurred one.
        let fall = Event(type: .fallDetected, priority: .p1, source: EventSource(producer: "retina", camera: "home-1"), occurredAt: Date(),
                         dedupKey: "fall.detected:resident-0412", payload: .object(["subjectRef": .string("resident-0412")]),
                         evidence: [refs[1], refs[0]])
        _ = try await s.store.publish([fall])
        let id = fall.id.uuidString.lowercased()
        let op = try await s.store.createToken(name: "Wang Li", role: .operator_)

        let shown = try await Self.fetch(s.base + "/api/snapshots/\(id)", token: op)
        #expect(shown.status == 200)
        #expect(Checksum.sha256Hex(shown.data) == refs[0].sha256, "the snapshot served is not the blurred picture")
        #expect(try await s.store.history(of: fall.id).allSatisfy { $0.action != "evidence_viewed" })

        let clear = try await Self.fetch(s.base + "/api/events/\(id)/evidence/0", token: op)
        #expect(clear.status == 200 && clear.cache == "no-store")
        #expect(Checksum.sha256Hex(clear.data) == refs[1].sha256)
        _ = try await Self.fetch(s.base + "/api/events/\(id)/evidence/0", token: op)
        let views = try await s.store.history(of: fall.id).filter { $0.action == "evidence_viewed" }
        #expect(views.count == 2 && views.allSatisfy { $0.actor == "Wang Li" && ($0.note ?? "").hasPrefix("clear snapshot") }, "\(views)")

        // The blurred one by its index is no view to record; an index past the end is a clear 404.
        #expect(try await Self.fetch(s.base + "/api/events/\(id)/evidence/1", token: op).status == 200)
        #expect(try await s.store.history(of: fall.id).filter { $0.action == "evidence_viewed" }.count == 2)
        let missing = try await S.get(s.base + "/api/events/\(id)/evidence/2", token: op)
        #expect(missing.status == 404 && missing.body.contains("has 2 evidence file(s)"), "\(missing.body)")
        // A producer may not look.
        let producer = try await s.store.createToken(name: "fall-detection", role: .producer)
        #expect(try await S.get(s.base + "/api/events/\(id)/evidence/0", token: producer).status == 403)
        #expect(try await s.store.history(of: fall.id).filter { $0.action == "evidence_viewed" }.count == 2)
    }
}

/// Grid staff report what they saw on patrol: a `report.manual` in the same queue, the reporter's
/// name from the session, the photo stored and hashed like every uploaded picture.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ManualReportTests {
    typealias S = OfficeServerTests

    @Test func aReportWithAPhotoJoinsTheQueueUnderTheReportersName() async throws {
        let s = try await S.start()
        defer { s.task.cancel() }
        let staff = try await s.store.createToken(name: "张伟 (网格员)", role: .operator_)
        let jpegPath = s.evidence + "/../photo.jpg"
        try OfficeHardeningTests.jpeg(jpegPath, size: "160x120")
        let photo = try Data(contentsOf: URL(fileURLWithPath: jpegPath))
        let body = #"{"note": "楼道堆放杂物，堵住消防通道", "place": "7号楼 2单元", "photo": "\#(photo.base64EncodedString())"}"#
        let r = try await S.request("POST", s.base + "/api/reports", token: staff, body: body)
        #expect(r.status == 201, "\(r.body)")
        let stored = try #require(try await s.store.list(EventQuery(types: [.reportManual])).first)
        #expect(stored.priority == .p3 && stored.source.zone == "7号楼 2单元")
        #expect(stored.payload["reporter"]?.stringValue == "张伟 (网格员)" && stored.payload["note"]?.stringValue == "楼道堆放杂物，堵住消防通道")
        let ref = try #require(stored.evidence.first)
        #expect(ref.sha256 == Checksum.sha256Hex(photo) && ref.kind == .snapshot)
        #expect(try Data(contentsOf: URL(fileURLWithPath: s.evidence + "/" + ref.uri)) == photo)
        #expect(try await s.store.history(of: stored.id).first?.actor == "张伟 (网格员)")
        // What is not a report is refused, and nothing is stored.
        #expect(try await S.request("POST", s.base + "/api/reports", token: staff, body: #"{"note": "  "}"#).status == 400)
        #expect(try await S.request("POST", s.base + "/api/reports", token: staff, body: #"{"note": "x", "photo": "aGVsbG8="}"#).status == 415)
        let producer = try await s.store.createToken(name: "fall-detection", role: .producer)
        #expect(try await S.request("POST", s.base + "/api/reports", token: producer, body: #"{"note": "x"}"#).status == 403)
        #expect(try await s.store.list(EventQuery(types: [.reportManual])).count == 1)
    }
}
