/// Which learned count a zone gets: the detector's while its people are few and apart enough to be
/// seen one by one (sparse), the density model's once they are many or packed (dense). Detectors
/// miss people in crowds (YOLOX-Nano found 54 % of the concourse's 40–50 people, 2 % of
/// ShanghaiTech A's); the density model answers texture where people are few (PETS: 7 phantom
/// people on 3–8 real ones). Either model can say "dense": the detector by the people it sees, the
/// density model by a count well above what texture gives (a crowd too dense for the detector to
/// see anyone in is dense only by the density model).
public enum CrowdRegime: String, Sendable, CaseIterable {
    case sparse, dense

    /// What the detector's pass says of a zone's crowding.
    public struct Crowding: Sendable, Equatable {
        /// People whose feet are inside the zone.
        public var people: Int
        /// Their boxes' area over the zone's area (boxes may overlap: it can pass 1).
        public var cover: Double
        /// The density model's count for the zone, when there is a recent map.
        public var density: Double?

        public init(people: Int, cover: Double, density: Double? = nil) {
            self.people = people
            self.cover = cover
            self.density = density
        }

        /// The crowding of a zone holding `zoneArea` of the picture (0…1; 1 = the whole picture).
        /// `inZone` answers for a point in 0…1 picture coordinates; nil is the whole picture.
        public init(people: [Detection], zoneArea: Double = 1, density: DensityMap? = nil,
                    inZone: ((_ x: Double, _ y: Double) -> Bool)? = nil) {
            let inside = people.filter { inZone?(($0.box.x0 + $0.box.x1) / 2, $0.box.y1) ?? true }
            self.people = inside.count
            cover = inside.reduce(0) { $0 + $1.box.area } / max(zoneArea, 1e-6)
            self.density = density?.sum(inZone: inZone)
        }
    }

    /// From how many detected people, which share of the zone under their boxes, or which density
    /// count a zone is dense. Chosen between a sparse and a dense scene from the models' outputs
    /// alone (no count label used): PETS has at most 10 detected people a frame and a density count
    /// of at most 21 (texture), the concourse at least 13 detected and a density count of at least 29.
    /// The cover does not separate them (PETS up to 7.1 % of the picture, the concourse from 6.7 %,
    /// and a half-picture zone of PETS doubles it); it is there for a small zone packed with people
    /// the detector finds only some of, at a share no walking crowd of a few people reaches.
    public struct Thresholds: Sendable, Equatable {
        public var people: Int
        public var cover: Double
        /// The density count from which a zone is dense: twice `people` by default, above what the
        /// density model makes of a sparse scene's texture.
        public var densityPeople: Double
        /// A dense zone turns sparse again only below this share of every threshold, so a crowd
        /// at the threshold does not flip between the two counts from pass to pass.
        public var leave: Double

        public init(people: Int = 12, cover: Double = 0.25, densityPeople: Double? = nil, leave: Double = 0.75) {
            self.people = people
            self.cover = cover
            self.densityPeople = densityPeople ?? Double(2 * people)
            self.leave = leave
        }

        public static let standard = Thresholds()
    }

    /// The regime of a zone seen once (a still picture: no history).
    public static func of(_ crowding: Crowding, thresholds: Thresholds = .standard) -> CrowdRegime {
        crowding.people >= thresholds.people || crowding.cover >= thresholds.cover
            || (crowding.density ?? 0) >= thresholds.densityPeople ? .dense : .sparse
    }

    /// The regime of a zone that was `self` at the previous pass.
    public func next(_ crowding: Crowding, thresholds: Thresholds = .standard) -> CrowdRegime {
        switch self {
        case .sparse: Self.of(crowding, thresholds: thresholds)
        case .dense:
            Double(crowding.people) >= Double(thresholds.people) * thresholds.leave
                || crowding.cover >= thresholds.cover * thresholds.leave
                || (crowding.density ?? 0) >= thresholds.densityPeople * thresholds.leave ? .dense : .sparse
        }
    }
}
