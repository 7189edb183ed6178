/// Which learned count a zone gets: the detector's while its people are few and apart enough to be
/// seen one by one (sparse), the density model's once they are many or packed (dense). Detectors
/// miss people in crowds (YOLOX-Nano found 54 % of the concourse's 40–50 people); the density model
/// answers texture where people are few (PETS: 7 phantom people on 3–8 real ones). Only the
/// detector's pass is needed to decide, so the density model runs only for zones that are dense.
public enum CrowdRegime: String, Sendable, CaseIterable {
    case sparse, dense

    /// What the detector's pass says of a zone's crowding.
    public struct Crowding: Sendable, Equatable {
        /// People whose feet are inside the zone.
        public var people: Int
        /// Their boxes' area over the zone's area (boxes may overlap: it can pass 1).
        public var cover: Double

        public init(people: Int, cover: Double) {
            self.people = people
            self.cover = cover
        }

        /// The crowding of a zone holding `zoneArea` of the picture (0…1; 1 = the whole picture).
        /// `inZone` answers for a point in 0…1 picture coordinates; nil is the whole picture.
        public init(people: [Detection], zoneArea: Double = 1, inZone: ((_ x: Double, _ y: Double) -> Bool)? = nil) {
            let inside = people.filter { inZone?(($0.box.x0 + $0.box.x1) / 2, $0.box.y1) ?? true }
            self.people = inside.count
            cover = inside.reduce(0) { $0 + $1.box.area } / max(zoneArea, 1e-6)
        }
    }

    /// From how many detected people, or which share of the zone under their boxes, a zone is dense.
    /// The number was chosen between a sparse and a dense scene, from the detector's output alone
    /// (no count label used): PETS has at most 10 detected people a frame, the concourse at least 13.
    /// Their cover does not separate them (PETS up to 7.1 % of the picture, the concourse from 6.7 %,
    /// and a half-picture zone of PETS doubles it); it is there for a small zone packed with people
    /// the detector finds only some of, at a share no walking crowd of a few people reaches.
    public struct Thresholds: Sendable, Equatable {
        public var people: Int
        public var cover: Double
        /// A dense zone turns sparse again only below this share of both thresholds, so a crowd
        /// at the threshold does not flip between the two counts from pass to pass.
        public var leave: Double

        public init(people: Int = 12, cover: Double = 0.25, leave: Double = 0.75) {
            self.people = people
            self.cover = cover
            self.leave = leave
        }

        public static let standard = Thresholds()
    }

    /// The regime of a zone seen once (a still picture: no history).
    public static func of(_ crowding: Crowding, thresholds: Thresholds = .standard) -> CrowdRegime {
        crowding.people >= thresholds.people || crowding.cover >= thresholds.cover ? .dense : .sparse
    }

    /// The regime of a zone that was `self` at the previous pass.
    public func next(_ crowding: Crowding, thresholds: Thresholds = .standard) -> CrowdRegime {
        switch self {
        case .sparse: Self.of(crowding, thresholds: thresholds)
        case .dense:
            Double(crowding.people) >= Double(thresholds.people) * thresholds.leave
                || crowding.cover >= thresholds.cover * thresholds.leave ? .dense : .sparse
        }
    }
}
