import Vocabulary

/// Things the detector takes for a person that are not one: a sign, a bollard, a cone, a poster.
/// A camera learns them from its own passes, with no labels: a place where a "person" is found on
/// most passes for `learnSeconds` and whose pixels do not change from one look to the next. A
/// person standing still still moves (head, hands, weight); a sign changes only with the light,
/// which the comparison removes by taking each look's mean out. Such a "person" is left out of
/// the counts; on a look where its place's pixels changed it counts again (someone may stand
/// there now).
public struct StillLookalikes: Sendable {
    public struct Settings: Sendable, Equatable {
        /// How long a place must have been looked at before it can be a lookalike.
        public var learnSeconds = 30.0
        /// The share of the looks since it was first seen on which it was seen and still.
        public var seenShare = 0.8
        /// Grey levels (of 255): the mean absolute change of the place's thumbnail, its mean taken
        /// out, under which a look is still. Coding noise averaged over a thumbnail's pixels stays
        /// near 1; a person turning the head or moving a hand changes it by several.
        public var stillLevel = 3.0
        /// A detection is the place's when their boxes overlap this much (IoU).
        public var sameIoU = 0.6
        /// Places kept at most (the most seen ones).
        public var maxPlaces = 64
        public init() {}

        /// Whether `place` is a lookalike at `time`: looked at long enough, and still on enough of its looks.
        func isLookalike(_ place: Place, at time: Double) -> Bool {
            time - place.first >= learnSeconds && Double(place.stillLooks) >= seenShare * Double(place.looks)
        }
    }

    struct Place: Sendable {
        var box: Box
        var first: Double
        var lastSeen: Double
        var looks = 1
        var stillLooks = 0
        var thumbnail: [Double]?
    }

    public let settings: Settings
    private var places: [Place] = []

    /// The thumbnail's size: enough pixels to average the noise away, few enough to cost nothing.
    static let thumbWidth = 12, thumbHeight = 24

    public init(settings: Settings = Settings()) { self.settings = settings }

    /// The places learned as lookalikes (0…1 of the picture).
    public var lookalikes: [Box] { places.filter { settings.isLookalike($0, at: $0.lastSeen) }.map(\.box) }

    /// The detections of one pass less the lookalikes among them, learning from this pass. Only
    /// people are looked at; other classes pass through. `picture` gives the places' pixels.
    public mutating func filter(_ detections: [Detection], at time: Double, picture: some BGRPixelSource) -> [Detection] {
        for i in places.indices { places[i].looks += 1 }
        var matched = Set<Int>()
        var kept: [Detection] = []
        for detection in detections {
            guard detection.classIndex == COCOClass.person else { kept.append(detection); continue }
            var best: Int?, bestIoU = settings.sameIoU
            for (i, place) in places.enumerated() where !matched.contains(i) {
                let iou = place.box.iou(detection.box)
                if iou >= bestIoU { best = i; bestIoU = iou }
            }
            guard let i = best else {
                places.append(Place(box: detection.box, first: time, lastSeen: time, thumbnail: Self.thumbnail(detection.box, picture)))
                matched.insert(places.count - 1)
                kept.append(detection)
                continue
            }
            matched.insert(i)
            let now = Self.thumbnail(places[i].box, picture)
            let still = Self.change(places[i].thumbnail, now).map { $0 < settings.stillLevel } ?? false
            if still { places[i].stillLooks += 1 }
            places[i].thumbnail = now
            places[i].lastSeen = time
            if !(still && settings.isLookalike(places[i], at: time)) { kept.append(detection) }
        }
        let rules = settings
        places.removeAll { time - $0.lastSeen > rules.learnSeconds && !rules.isLookalike($0, at: time) }
        if places.count > settings.maxPlaces {
            places.sort { $0.stillLooks > $1.stillLooks }
            places.removeLast(places.count - settings.maxPlaces)
        }
        return kept
    }

    /// The box's grey thumbnail with its mean taken out, or nil when the picture cannot give it.
    static func thumbnail(_ box: Box, _ picture: some BGRPixelSource) -> [Double]? {
        let w = Double(picture.width), h = Double(picture.height)
        let x0 = Int((box.x0 * w).rounded(.down)), y0 = Int((box.y0 * h).rounded(.down))
        let x1 = Int((box.x1 * w).rounded(.up)), y1 = Int((box.y1 * h).rounded(.up))
        let rect = PictureRect(x: max(0, x0), y: max(0, y0), width: min(picture.width, x1) - max(0, x0), height: min(picture.height, y1) - max(0, y0))
        guard rect.width >= 2, rect.height >= 2,
              let bgr = picture.bgrPixels(width: thumbWidth, height: thumbHeight, crop: rect) else { return nil }
        var grey = [Double](repeating: 0, count: thumbWidth * thumbHeight)
        for i in grey.indices {
            grey[i] = 0.114 * Double(bgr[3 * i]) + 0.587 * Double(bgr[3 * i + 1]) + 0.299 * Double(bgr[3 * i + 2])
        }
        let mean = grey.reduce(0, +) / Double(grey.count)
        return grey.map { $0 - mean }
    }

    /// Mean absolute difference of two thumbnails, nil when either is missing.
    static func change(_ a: [Double]?, _ b: [Double]?) -> Double? {
        guard let a, let b, a.count == b.count, !a.isEmpty else { return nil }
        var sum = 0.0
        for i in a.indices { sum += abs(a[i] - b[i]) }
        return sum / Double(a.count)
    }
}
