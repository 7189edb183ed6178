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

    static func detection(_ opened: EpisodePolicy.Opened, camera: CameraConfig) -> Event {
        let d = opened.detection
        var payload: [String: JSONValue] = ["score": .number(d.score)]
        for (k, v) in d.measurements { payload[k] = .number(v) }
        if let r = d.region {
            payload["region"] = .object(["x": .number(Double(r.x)), "y": .number(Double(r.y)),
                                         "width": .number(Double(r.width)), "height": .number(Double(r.height))])
        }
        return Event(type: d.type, subtype: d.subtype, priority: .p4, source: source(camera, zone: d.zone),
                     location: location(camera), occurredAt: opened.time, detectedAt: Date(), dedupKey: opened.dedupKey,
                     payload: .object(payload))
    }

    static func outage(_ report: OutageReporter.Report, camera: CameraConfig, at now: Date) -> Event {
        switch report {
        case .offline(let since, let reason):
            return Event(type: "camera.offline", priority: .p3, source: source(camera), location: location(camera),
                         occurredAt: since, detectedAt: now,
                         dedupKey: "retina:\(camera.id):camera.offline:\(Int(since.timeIntervalSince1970))",
                         payload: .object(["reason": reason.map { .string($0) } ?? .null]))
        case .online(let downFor):
            return Event(type: "camera.online", priority: .p4, source: source(camera), location: location(camera),
                         occurredAt: now, detectedAt: now,
                         payload: .object(["downForSeconds": .number(downFor)]))
        }
    }
}
