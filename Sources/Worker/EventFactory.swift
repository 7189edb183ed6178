import Events
import Foundation
import RetinaConfig
import Vision

/// Builds events in the shared schema from what the pipeline saw.
enum EventFactory {
    static func source(_ camera: CameraConfig, zone: String? = nil) -> EventSource {
        EventSource(producer: "retina", camera: camera.id, deviceId: camera.deviceId, cameraName: camera.name,
                    group: camera.group, zone: zone)
    }

    static func location(_ camera: CameraConfig) -> EventLocation? {
        camera.location.map { EventLocation(lat: $0.lat, lon: $0.lon, placeCode: $0.placeCode, address: $0.address, building: $0.building) }
    }

    static func priority(_ d: Detection) -> Priority {
        PriorityTable.priority(of: d.type, subtype: d.subtype, level: d.level)
    }

    static func payload(_ d: Detection) -> JSONValue {
        var payload: [String: JSONValue] = ["score": .number((d.score * 1000).rounded() / 1000)]
        for (k, v) in d.measurements { payload[k] = .number((v * 1000).rounded() / 1000) }
        for (k, v) in d.labels { payload[k] = .string(v) }
        if let subtype = d.subtype { payload["kind"] = .string(subtype.rawValue) }
        if let r = d.region {
            payload["region"] = .object(["x": .number(Double(r.x)), "y": .number(Double(r.y)),
                                         "width": .number(Double(r.width)), "height": .number(Double(r.height))])
        }
        return .object(payload)
    }

    static func detection(_ opened: EpisodePolicy.Opened, camera: CameraConfig) -> Event {
        let d = opened.detection
        return Event(type: d.type, subtype: d.subtype, priority: priority(d), level: d.level, source: source(camera, zone: d.zone),
                     location: location(camera), occurredAt: opened.time, detectedAt: Date(), dedupKey: opened.dedupKey,
                     payload: payload(d))
    }

    /// A detection that belongs to a detector-managed episode (crowd levels): every detection of the
    /// episode carries the same dedup key, so the store updates the open event instead of adding one.
    static func episodeEvent(_ d: Detection, camera: CameraConfig, at time: Date) -> Event {
        Event(type: d.type, subtype: d.subtype, priority: priority(d), level: d.level, source: source(camera, zone: d.zone),
              location: location(camera), occurredAt: time, detectedAt: Date(),
              dedupKey: "retina:\(camera.id):\(d.type):\(d.episode ?? d.zone)", payload: payload(d))
    }

    /// The event with its zone's outline (`payload.zonePolygon`: `[[x, y], …]` in 0…1 of the picture),
    /// so the office draws where it happened on the snapshot; unchanged for an event of no zone.
    static func outlined(_ event: Event, camera: CameraConfig, width: Int, height: Int) -> Event {
        guard width > 0, height > 0, let id = event.source.zone, let zone = camera.zones.first(where: { $0.id == id }),
              case .object(var payload) = event.payload else { return event }
        let round = { (v: Double) in (v * 10_000).rounded() / 10_000 }
        payload["zonePolygon"] = .array(zone.polygon.map { .array([.number(round($0.x / Double(width))), .number(round($0.y / Double(height)))]) })
        var event = event
        event.payload = .object(payload)
        return event
    }

    /// The event with the objects of its frame's learned detection pass (`payload.detections`); unchanged without one.
    static func with(_ objects: [DetectedObject]?, _ event: Event) -> Event {
        guard let objects, case .object(var payload) = event.payload else { return event }
        var event = event
        payload[DetectedObject.payloadKey] = DetectedObject.json(objects)
        event.payload = .object(payload)
        return event
    }

    /// `stream`: which of a camera's two streams (`main`); nil for the camera's only (or analysed) one.
    static func outage(_ report: OutageReporter.Report, camera: CameraConfig, at now: Date, stream: String? = nil) -> Event {
        var payload: [String: JSONValue] = stream.map { ["stream": .string($0)] } ?? [:]
        switch report {
        case .offline(let since, let reason):
            payload["reason"] = .string(reason)
            return Event(type: .cameraOffline, priority: PriorityTable.priority(of: .cameraOffline),
                         source: source(camera), location: location(camera), occurredAt: since, detectedAt: now,
                         dedupKey: "retina:\(camera.id):\(stream.map { "\($0):" } ?? "")\(EventType.cameraOffline):\(Int(since.timeIntervalSince1970))",
                         payload: .object(payload))
        case .online(let downFor):
            payload["downForSeconds"] = .number(downFor)
            return Event(type: .cameraOnline, priority: PriorityTable.priority(of: .cameraOnline),
                         source: source(camera), location: location(camera),
                         occurredAt: now, detectedAt: now,
                         payload: .object(payload))
        }
    }
}
