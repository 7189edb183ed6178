import Tracking
import Vision

/// People crossing the counting lines of zones, from their tracks: a person's feet going from one
/// side of a zone's line to the other, through the line (not past its ends), counts once in
/// (towards the zone's side) or out. A side counts only once the feet are a fifth of the person's
/// height away from the line: feet jittering on the line are not crossings.
public struct LineCrossing: Sendable {
    public struct Counts: Sendable, Equatable {
        public var into = 0
        public var out = 0
        public init(into: Int = 0, out: Int = 0) { self.into = into; self.out = out }
    }

    public let zones: [Zone]
    /// Totals by zone id since the start.
    public private(set) var totals: [String: Counts] = [:]
    /// The last minute's crossings by zone id (stream time, in or out), for the rates.
    private var recent: [String: [(t: Double, into: Bool)]] = [:]
    /// Stream time of the first pass of this segment: a rate over less than a minute is over this long.
    private var since: Double?
    /// Per (track, zone): the side the feet are on (true: the zone's side) and where they last were on it.
    private var sides: [Key: (inside: Bool, at: Point)] = [:]

    struct Key: Hashable, Sendable {
        var track: Int
        var zone: String
    }

    public init(zones: [Zone]) { self.zones = zones.filter { $0.line != nil } }

    /// The person tracks seen on a pass at stream time `t` on a `width`×`height` picture; returns this pass's crossings by zone.
    @discardableResult
    public mutating func observe(_ tracks: [MultiObjectTracker.Track], at t: Double, width: Int, height: Int) -> [String: Counts] {
        guard !zones.isEmpty else { return [:] }
        if since == nil || t < since! { since = t }
        var now: [String: Counts] = [:]
        for track in tracks where track.kind == .person && track.state == .confirmed && track.lastSeen == t {
            let feet = track.box.feet(width: width, height: height)
            let margin = 0.2 * track.box.height * Double(height)
            for zone in zones {
                guard let line = zone.line else { continue }
                let distance = Self.signedDistance(feet, line)
                guard abs(distance) >= margin else { continue }  // on the line: no side yet
                let inside = (distance > 0) == (Self.signedDistance(zone.centre, line) > 0)
                let key = Key(track: track.id, zone: zone.id)
                if let before = sides[key], before.inside != inside, Self.crosses(before.at, feet, line.a, line.b) {
                    if inside { now[zone.id, default: Counts()].into += 1; totals[zone.id, default: Counts()].into += 1 }
                    else { now[zone.id, default: Counts()].out += 1; totals[zone.id, default: Counts()].out += 1 }
                    recent[zone.id, default: []].append((t, inside))
                }
                sides[key] = (inside, feet)
            }
        }
        let alive = Set(tracks.map(\.id))
        sides = sides.filter { alive.contains($0.key.track) }
        for zone in recent.keys { recent[zone]!.removeAll { $0.t < t - Self.rateWindow } }
        return now
    }

    /// Seconds the rates are counted over.
    public static let rateWindow = 60.0

    /// People in and out per minute at each line over the last minute up to stream time `t` (over
    /// the time since the segment's first pass while that is shorter, from 10 s on); every zone with
    /// a line, zeros included, once there are 10 s to count over.
    public func perMinute(at t: Double) -> [String: (into: Double, out: Double)] {
        guard let since, t - since >= 10 else { return [:] }
        let span = min(Self.rateWindow, t - since)
        return Dictionary(uniqueKeysWithValues: zones.map { zone in
            let seen = (recent[zone.id] ?? []).filter { $0.t >= t - span && $0.t <= t }
            let into = Double(seen.count { $0.into })
            return (zone.id, (into * 60 / span, (Double(seen.count) - into) * 60 / span))
        })
    }

    /// A new segment: the tracker's ids start over (the totals stay; the rates count from it).
    public mutating func reset() {
        sides.removeAll()
        recent.removeAll()
        since = nil
    }

    /// Pixels from the line (its infinite extension), signed by side.
    static func signedDistance(_ p: Point, _ line: (a: Point, b: Point)) -> Double {
        let dx = line.b.x - line.a.x, dy = line.b.y - line.a.y
        return (dx * (p.y - line.a.y) - dy * (p.x - line.a.x)) / max((dx * dx + dy * dy).squareRoot(), 1e-9)
    }

    /// Whether segment p→q crosses segment a–b (strictly: touching is not crossing).
    static func crosses(_ p: Point, _ q: Point, _ a: Point, _ b: Point) -> Bool {
        func orient(_ u: Point, _ v: Point, _ w: Point) -> Double { (v.x - u.x) * (w.y - u.y) - (v.y - u.y) * (w.x - u.x) }
        let d1 = orient(a, b, p), d2 = orient(a, b, q), d3 = orient(p, q, a), d4 = orient(p, q, b)
        return d1 * d2 < 0 && d3 * d4 < 0
    }
}
