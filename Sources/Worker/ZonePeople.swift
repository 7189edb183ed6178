import Events
import Perception
import Vision
import Vocabulary

/// People per zone from a camera's learned passes. A person counts for a zone when the feet point
/// of its box (bottom centre, in the source picture's pixels) lies inside the zone's polygon. Each
/// zone keeps its `CrowdRegime` from pass to pass: sparse zones are counted by the detector, dense
/// ones by the density map when there is a recent one.
struct ZonePeople {
    let zones: [Zone]
    let width: Int
    let height: Int
    let thresholds: CrowdRegime.Thresholds
    private(set) var regimes: [String: CrowdRegime] = [:]

    /// Without zones, the whole picture as zone `all` (as the crowd detector has it).
    init(zones: [Zone], width: Int, height: Int, thresholds: CrowdRegime.Thresholds = .standard) {
        self.zones = zones.isEmpty ? [Zone.whole(width: width, height: height)] : zones
        self.width = width
        self.height = height
        self.thresholds = thresholds
    }

    /// Whether any zone is dense after this pass of the detector, with the density map when there
    /// is a recent one (a zone can be dense by either model).
    mutating func observe(_ detections: [Perception.Detection], density: DensityMap? = nil) -> Bool {
        let people = detections.filter { $0.classIndex == COCOClass.person }
        for zone in zones {
            let crowding = CrowdRegime.Crowding(people: people, zoneArea: area(zone), density: density, inZone: inside(zone))
            regimes[zone.id] = (regimes[zone.id] ?? .sparse).next(crowding, thresholds: thresholds)
        }
        return anyDense
    }

    var anyDense: Bool { regimes.values.contains(.dense) }

    /// People by zone id and what counted them: the density model in a dense zone when `density` is
    /// given (never fewer than the people seen), else the detector.
    func counts(_ detections: [Perception.Detection], density: DensityMap?) -> [String: (count: Double, source: CrowdCountSource)] {
        let people = detections.filter { $0.classIndex == COCOClass.person }
        var counts: [String: (Double, CrowdCountSource)] = [:]
        for zone in zones {
            let regime = regimes[zone.id] ?? .sparse
            let count = CountFusion.count(people: people, density: density, regime: regime, inZone: inside(zone))
            counts[zone.id] = (count, regime == .dense && density != nil ? .density : .detector)
        }
        return counts
    }

    /// The zone test in 0…1 picture coordinates, with the point kept inside the picture's last pixel
    /// row and column (a box cut by the picture's edge ends on it, and a point on a polygon's edge is outside).
    private func inside(_ zone: Zone) -> (Double, Double) -> Bool {
        let w = Double(width), h = Double(height)
        return { x, y in zone.contains(Point(x: min(max(x * w, 0.5), w - 0.5), y: min(max(y * h, 0.5), h - 0.5))) }
    }

    /// The zone's share of the picture (shoelace area of its polygon).
    private func area(_ zone: Zone) -> Double {
        let p = zone.polygon
        guard p.count >= 3 else { return 0 }
        var twice = 0.0
        for i in p.indices {
            let a = p[i], b = p[(i + 1) % p.count]
            twice += a.x * b.y - b.x * a.y
        }
        return abs(twice) / 2 / (Double(width) * Double(height))
    }

    /// A pass's detections as events carry them: `[x, y, w, h]` in 0…1 of the picture.
    static func objects(_ detections: [Perception.Detection]) -> [DetectedObject] {
        detections.map { DetectedObject(className: $0.className, score: Double($0.score), x: $0.box.x0, y: $0.box.y0,
                                        width: $0.box.width, height: $0.box.height) }
    }
}
