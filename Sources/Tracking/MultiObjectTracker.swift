import Perception

/// Objects followed from pass to pass of a detector, ByteTrack's way (Zhang et al., ECCV 2022):
/// confident detections are matched to the tracks' predicted boxes first; then the detections the
/// detector was unsure of (a person half hidden, blurred, at the edge) keep existing tracks alive
/// instead of being thrown away; a track unmatched for `maxLost` seconds ends. Boxes are matched by
/// buffered IoU (both boxes grown by `buffer` of their size: Yang et al., WACV 2023), which holds
/// at the low rates a camera's detector runs at, where a walker's box moves most of its own width
/// between passes. People and vehicles are matched only within their kind.
public struct MultiObjectTracker: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Detections at or above this score are confident; between `lowScore` and it, only kept for existing tracks.
        public var highScore: Float = 0.5
        public var lowScore: Float = 0.1
        /// A confident detection no track took starts a track from this score.
        public var newTrackScore: Float = 0.6
        /// The same two for vehicles: the detector scores a bicycle seen from above or far away much
        /// lower than a person (YOLOX-Nano: 0.3–0.6 on UCSD Ped2's cyclists); a behaviour on vehicles
        /// decides with their speed as well, so a track started on less is no event by itself.
        public var vehicleHighScore: Float = 0.3
        public var vehicleNewTrackScore: Float = 0.3
        /// Least buffered IoU of a match: confident detections, unsure ones.
        public var matchIoU = 0.2
        public var lowMatchIoU = 0.5
        /// A track's second sighting: a box of about its size (heights within 1.5×) whose centre is
        /// within this many of its heights per second since the first (a person does not walk
        /// faster), and at least `tentativeMinStep` heights. A track seen once has no velocity yet,
        /// so overlap would fail at a camera's one pass a second, where a walker moves a body height
        /// or more between passes.
        public var tentativeSpeed = 1.5
        public var tentativeMinStep = 0.5
        /// Share of a box's width and height added on each side before IoU.
        public var buffer = 0.3
        /// Seconds a track lives unseen (predicted) before it ends.
        public var maxLost = 1.5
        /// Sightings before a track is confirmed (the first pass of a segment confirms at once).
        public var confirmHits = 2

        public init() {}
    }

    public enum Kind: Sendable, Equatable { case person, vehicle, other }

    public struct Track: Sendable, Equatable {
        public enum State: Sendable, Equatable { case tentative, confirmed, lost }
        public let id: Int
        public internal(set) var kind: Kind
        /// The class most of its confident sightings had (COCO), and the best score seen for it.
        public internal(set) var classIndex: Int
        public internal(set) var score: Float
        public internal(set) var state: State
        /// The filtered box (0…1 of the picture, like the detections), and the last one detected.
        public internal(set) var box: Box
        public internal(set) var detected: Box
        public internal(set) var firstSeen: Double
        public internal(set) var lastSeen: Double
        public internal(set) var hits: Int
        /// The centre's velocity, picture widths and heights per second.
        public internal(set) var velocity: (x: Double, y: Double)
        var filter: KalmanBox
        var votes: [Int: Float]
        /// The detected boxes of the last second, oldest first (`recentSpeed`).
        var sightings: [(t: Double, box: Box)] = []
        /// Where the picture's optical flow carried the box since the last update (`carry`), and the
        /// stream time it was carried to: the region whose flow is the person's on the next frame.
        var carried: Box?
        var carriedAt: Double
        /// The flow's velocity of the box on each frame of the last second, oldest first (picture
        /// widths and heights per second).
        var flowSamples: [(t: Double, x: Double, y: Double)] = []

        /// The optical flow's velocity of the person in box heights per second (x right, y down):
        /// the mean of what the flow measured on the box on the frames of the last `window` seconds
        /// up to its latest sighting (a frame's flow spans the interval before it: at 10 frames a
        /// second the last frame's, at 25 the last three); nil where the flow did not measure it
        /// then (a person standing still has no moving points: that is no measurement). No
        /// sightings needed: a track is as fast as its pixels move, from the frame after its first.
        public func flowVelocity(aspect: Double, window: Double = 0.1) -> (x: Double, y: Double)? {
            guard flowMeasured else { return nil }
            return flowMean(upTo: lastSeen, aspect: aspect, window: window)
        }

        /// The mean flow of the frames in (`t` − `window`, `t`], in box heights per second; nil without one.
        private func flowMean(upTo t: Double, aspect: Double, window: Double) -> (x: Double, y: Double)? {
            let recent = flowSamples.filter { $0.t > t - window + 1e-6 && $0.t <= t + 1e-9 }
            guard !recent.isEmpty else { return nil }
            let n = Double(recent.count), h = max(box.height, 1e-6)
            return (recent.reduce(0) { $0 + $1.x } / n * aspect / h, recent.reduce(0) { $0 + $1.y } / n / h)
        }

        /// Speed in box heights per second from where it was detected `window` seconds ago (or
        /// its oldest sighting since, at least half that ago) to where it is detected now: no
        /// filter lag, so a person who starts running is fast at once; nil without such sightings.
        public func recentSpeed(aspect: Double, window: Double = 0.4) -> Double? {
            recentVelocity(aspect: aspect, window: window).map { ($0.x * $0.x + $0.y * $0.y).squareRoot() }
        }

        /// The same motion as a velocity in box heights per second (x right, y down), for a direction.
        public func recentVelocity(aspect: Double, window: Double = 0.4) -> (x: Double, y: Double)? {
            guard let now = sightings.last, let then = sightings.first(where: { $0.t >= now.t - window - 1e-9 }),
                  now.t - then.t >= window / 2 - 1e-9 else { return nil }
            let dx = ((now.box.x0 + now.box.x1) - (then.box.x0 + then.box.x1)) / 2 * aspect
            let dy = ((now.box.y0 + now.box.y1) - (then.box.y0 + then.box.y1)) / 2
            let h = max((now.box.height + then.box.height) / 2, 1e-6)
            return (dx / h / (now.t - then.t), dy / h / (now.t - then.t))
        }

        /// `flowVelocity` where the flow measured it, else `recentVelocity` where there are such
        /// sightings, else the filter's, in box heights per second.
        public func motion(aspect: Double) -> (x: Double, y: Double) {
            if let v = flowVelocity(aspect: aspect) ?? recentVelocity(aspect: aspect) { return v }
            let h = max(box.height, 1e-6)
            return (velocity.x * aspect / h, velocity.y / h)
        }

        /// How fast it moves now, in box heights per second: the flow's measure, else the speed over
        /// its last sightings, else the filter's (`motion`). What the behaviours decide on.
        public func currentSpeed(aspect: Double) -> Double {
            let v = motion(aspect: aspect)
            return (v.x * v.x + v.y * v.y).squareRoot()
        }

        /// Where it is now: where the flow carried its box since the last pass, else that pass's box.
        public var current: Box { carried ?? box }

        /// Its speed in box heights per second by the flow of the frames of the last `window`
        /// seconds up to `t`, between passes too; nil where the flow has not measured it since
        /// `t − window`.
        public func flowSpeed(at t: Double, aspect: Double, window: Double = 0.1) -> Double? {
            flowMean(upTo: t, aspect: aspect, window: window).map { ($0.x * $0.x + $0.y * $0.y).squareRoot() }
        }

        /// Whether the optical flow measured it at its latest sighting (its speed needs no settling).
        public var flowMeasured: Bool { flowSamples.contains { abs($0.t - lastSeen) < 1e-6 } }

        /// Speed in its own box heights per second (a person's box height is his height: body heights
        /// per second without a perspective calibration). `aspect`: the picture's width over its height.
        public func speed(aspect: Double) -> Double {
            ((velocity.x * aspect) * (velocity.x * aspect) + velocity.y * velocity.y).squareRoot() / max(box.height, 1e-6)
        }

        public static func == (a: Self, b: Self) -> Bool {
            a.id == b.id && a.state == b.state && a.box == b.box && a.lastSeen == b.lastSeen && a.hits == b.hits && a.classIndex == b.classIndex
        }
    }

    public var settings: Settings
    public private(set) var tracks: [Track] = []
    private var nextId = 1
    private var time: Double?
    /// Stream time of the latest `update` (nil before the first, and after `reset`).
    public var lastUpdate: Double? { time }
    /// The confirmed tracks found on the latest `update` (not those only predicted since).
    public var foundLastUpdate: [Track] { tracks.filter { $0.state == .confirmed && $0.lastSeen == time } }

    public init(settings: Settings = Settings()) { self.settings = settings }

    public static func kind(of classIndex: Int) -> Kind {
        if classIndex == COCOClass.person { return .person }
        return COCOClass.vehicles.contains(classIndex) ? .vehicle : .other
    }

    /// Ends every track (a new segment after a reconnect: nothing from before is the same object).
    public mutating func reset() {
        tracks.removeAll()
        time = nil
    }

    /// One pass's detections at stream time `t` (seconds) on a picture `aspect` (its width over its
    /// height) wide; returns the tracks alive after it, tentative ones included (`confirmed` are
    /// those to act on).
    @discardableResult
    public mutating func update(_ detections: [Detection], at t: Double, aspect: Double = 1) -> [Track] {
        let first = time == nil
        let dt = time.map { max(0, t - $0) } ?? 0
        time = t
        // The prediction is the filter's: putting a track where the flow carried its box instead was
        // measured worse on PETS' labelled identities (the flow of one box is noisier than a
        // settled velocity; Benchmarks/README.md, "Speed from the optical flow"). Where the flow
        // carried a track, that box is a second chance for it (1b, 3b below).
        var carried: [Int: Box] = [:]
        for i in tracks.indices {
            tracks[i].filter.predict(dt)
            tracks[i].box = tracks[i].filter.box
            if let box = tracks[i].carried { carried[i] = box }
            tracks[i].carried = nil
            tracks[i].carriedAt = t
        }

        let candidates = detections.filter { $0.score >= settings.lowScore && Self.kind(of: $0.classIndex) != .other }
        var high = candidates.indices.filter { candidates[$0].score >= highScore(candidates[$0]) }
        var low = candidates.indices.filter { candidates[$0].score < highScore(candidates[$0]) }
        var matched = Set<Int>()

        // 1. Confident detections against confirmed and lost tracks: by the overlap of the predicted
        // box where the track has a velocity (two sightings or more), by how far a person can have
        // walked since where it was seen only once (the people of a segment's first pass).
        let established = tracks.indices.filter { tracks[$0].state != .tentative }
        var unmatchedTracks = established
        for (ti, di) in match(unmatchedTracks.filter { tracks[$0].hits > 1 }, high, candidates, minIoU: settings.matchIoU)
            + matchNear(unmatchedTracks.filter { tracks[$0].hits == 1 }, high, candidates, at: t, aspect: aspect) {
            guard !matched.contains(ti), high.contains(di) else { continue }
            apply(candidates[di], to: ti, at: t)
            matched.insert(ti)
            high.removeAll { $0 == di }
        }
        unmatchedTracks.removeAll { matched.contains($0) }
        // 1b. Where the filter's prediction found nothing, where the flow carried the track: a walker
        // who broke into a run, turned or stopped between passes (at one pass a second a runner is
        // three or four of his heights from where he walked to).
        for (ti, di) in match(unmatchedTracks.filter { carried[$0] != nil }, high, candidates, minIoU: settings.matchIoU, box: { carried[$0]! }) {
            apply(candidates[di], to: ti, at: t)
            matched.insert(ti)
            high.removeAll { $0 == di }
        }
        unmatchedTracks.removeAll { matched.contains($0) }
        // 2. Unsure detections keep tracks that were seen last pass.
        let recent = unmatchedTracks.filter { tracks[$0].state == .confirmed }
        for (ti, di) in match(recent, low, candidates, minIoU: settings.lowMatchIoU) {
            apply(candidates[di], to: ti, at: t, confident: false)
            matched.insert(ti)
            low.removeAll { $0 == di }
        }
        // 3. A new track's second sighting.
        let tentative = tracks.indices.filter { tracks[$0].state == .tentative }
        for (ti, di) in matchNear(tentative, high, candidates, at: t, aspect: aspect) {
            apply(candidates[di], to: ti, at: t)
            matched.insert(ti)
            high.removeAll { $0 == di }
        }
        // 3b. …or where the flow carried it (someone who came into view running).
        for (ti, di) in match(tentative.filter { !matched.contains($0) && carried[$0] != nil }, high, candidates, minIoU: settings.matchIoU, box: { carried[$0]! }) {
            apply(candidates[di], to: ti, at: t)
            matched.insert(ti)
            high.removeAll { $0 == di }
        }
        // Unmatched: a tentative track ends; an established one is lost, and ends after `maxLost`.
        var kept: [Track] = []
        for i in tracks.indices {
            var track = tracks[i]
            if !matched.contains(i) {
                if track.state == .tentative { continue }
                track.state = .lost
                if t - track.lastSeen > settings.maxLost { continue }
            }
            kept.append(track)
        }
        tracks = kept
        for di in high where candidates[di].score >= (Self.kind(of: candidates[di].classIndex) == .vehicle ? settings.vehicleNewTrackScore : settings.newTrackScore) {
            let d = candidates[di]
            let filter = KalmanBox(d.box)
            tracks.append(Track(id: nextId, kind: Self.kind(of: d.classIndex), classIndex: d.classIndex, score: d.score,
                                state: first || settings.confirmHits <= 1 ? .confirmed : .tentative,
                                box: d.box, detected: d.box, firstSeen: t, lastSeen: t, hits: 1, velocity: (0, 0),
                                filter: filter, votes: [d.classIndex: d.score], sightings: [(t, d.box)], carriedAt: t))
            nextId += 1
        }
        return tracks
    }

    /// Measures every track's motion in the picture's optical flow at stream time `t` (each analysed
    /// frame, between people passes and before a pass on its frame): `velocity` gives the motion
    /// of a region (0…1 of the picture, where it was a frame ago) in picture widths and heights per
    /// second, nil where it was not measured. The middle of a box is looked at (its edges are
    /// background as often as person), and the box moves with it until the next `update`, so that
    /// the next frame looks where the person went. `flowVelocity` is the result.
    public mutating func carry(at t: Double, velocity: (Box) -> (x: Double, y: Double)?) {
        for i in tracks.indices {
            let gap = t - tracks[i].carriedAt
            guard gap > 0 else { continue }
            tracks[i].carriedAt = t
            let box = tracks[i].carried ?? tracks[i].box
            let core = Box(x0: box.x0 + box.width * 0.25, y0: box.y0 + box.height * 0.1,
                           x1: box.x1 - box.width * 0.25, y1: box.y1 - box.height * 0.1)
            guard let v = velocity(core) else { continue }
            let (dx, dy) = (v.x * gap, v.y * gap)
            tracks[i].carried = Box(x0: box.x0 + dx, y0: box.y0 + dy, x1: box.x1 + dx, y1: box.y1 + dy)
            tracks[i].flowSamples.append((t, v.x, v.y))
            tracks[i].flowSamples.removeAll { $0.t < t - 1 }
        }
    }

    private func highScore(_ d: Detection) -> Float {
        Self.kind(of: d.classIndex) == .vehicle ? settings.vehicleHighScore : settings.highScore
    }

    /// The tracks that are followed now (confirmed, seen this pass or lost for less than `maxLost`).
    public var confirmed: [Track] { tracks.filter { $0.state != .tentative } }

    private mutating func apply(_ d: Detection, to i: Int, at t: Double, confident: Bool = true) {
        tracks[i].filter.update(d.box)
        tracks[i].box = tracks[i].filter.box
        tracks[i].detected = d.box
        tracks[i].sightings.append((t, d.box))
        tracks[i].sightings.removeAll { $0.t < t - 1 }
        tracks[i].lastSeen = t
        tracks[i].hits += 1
        tracks[i].velocity = tracks[i].filter.velocity
        if tracks[i].state == .lost || (tracks[i].state == .tentative && tracks[i].hits >= settings.confirmHits) { tracks[i].state = .confirmed }
        if confident {
            tracks[i].votes[d.classIndex, default: 0] += d.score
            tracks[i].classIndex = tracks[i].votes.max { $0.value < $1.value }!.key
            tracks[i].score = max(tracks[i].score, d.score)
        }
    }

    /// Pairs (track index, candidate index) of least total 1 − buffered IoU, at least `minIoU`, same
    /// kind; each track's box is its prediction unless `box` gives another.
    private func match(_ trackIndices: [Int], _ detectionIndices: [Int], _ candidates: [Detection], minIoU: Double,
                       box: ((Int) -> Box)? = nil) -> [(Int, Int)] {
        guard !trackIndices.isEmpty, !detectionIndices.isEmpty else { return [] }
        let cost = trackIndices.map { ti in
            detectionIndices.map { di -> Double in
                let d = candidates[di]
                guard Self.kind(of: d.classIndex) == tracks[ti].kind else { return 1 }
                return 1 - grown(box?(ti) ?? tracks[ti].box).iou(grown(d.box))
            }
        }
        return Assignment.solve(cost, maxCost: 1 - minIoU).map { (trackIndices[$0.row], detectionIndices[$0.column]) }
    }

    /// Pairs (track index, candidate index) of least total centre distance, in the track's heights
    /// over what it may have covered since it was last seen, same kind and about the same size.
    private func matchNear(_ trackIndices: [Int], _ detectionIndices: [Int], _ candidates: [Detection], at t: Double, aspect: Double) -> [(Int, Int)] {
        guard !trackIndices.isEmpty, !detectionIndices.isEmpty else { return [] }
        let cost = trackIndices.map { ti in
            detectionIndices.map { di -> Double in
                let d = candidates[di], box = tracks[ti].box
                guard Self.kind(of: d.classIndex) == tracks[ti].kind else { return 2 }
                let ratio = d.box.height / max(box.height, 1e-9)
                guard ratio >= 1 / 1.5, ratio <= 1.5 else { return 2 }
                let reach = box.height * max(settings.tentativeMinStep, settings.tentativeSpeed * (t - tracks[ti].lastSeen))
                let dx = (d.box.x0 + d.box.x1 - box.x0 - box.x1) / 2 * aspect, dy = (d.box.y0 + d.box.y1 - box.y0 - box.y1) / 2
                return (dx * dx + dy * dy).squareRoot() / reach
            }
        }
        return Assignment.solve(cost, maxCost: 1).map { (trackIndices[$0.row], detectionIndices[$0.column]) }
    }

    private func grown(_ b: Box) -> Box { b.grown(by: settings.buffer) }
}
