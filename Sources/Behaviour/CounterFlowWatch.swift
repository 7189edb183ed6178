import Perception
import Tracking
import Vision

/// A person walking against the flow: the camera learns, per cell of a coarse grid over where
/// people stand, the direction its followed people move in; a cell whose people mostly go one way
/// (a one-way gate, an escalator's foot, a lane of a crowd) has a direction, a cell with two-way
/// traffic has none and no one is against it, nor in a cell where some of the people go back
/// (`HeadingShares`: a heading taken by more than `rareShare` of them is normal there). A person
/// followed for `confirmSeconds` moving more than 120° off the direction of the cell he stands in,
/// a way few take there, is against the flow, once per person. Everyone followed is learned, all
/// the time: one person's seconds against the flow hardly move a cell's shares, and a heading
/// people keep taking becomes normal (left out, a minority first seen after its cell was trusted
/// would be against the flow for ever).
public struct CounterFlowWatch: Sendable {
    public struct Settings: Sendable, Equatable {
        public var columns = 4
        public var rows = 4
        /// Slowest speed (box heights a second) that is moving; people walk at about 0.5–1.
        public var movingSpeed = 0.35
        /// Against the cell's direction: cosine at or below this (−0.5: more than 120° off).
        public var counterCosine = -0.5
        /// A cell's direction counts only when this concentrated (the mean resultant length of
        /// its people's directions: 1 all one way, 0 as many each way).
        public var minDirectionStrength = 0.6
        /// …and a heading is against it only when at most this share of the cell's people head
        /// that way (within about 67°): a fifth walking back leaves a strong mean but is normal.
        public var rareShare = 0.1
        /// Seconds of people moving seen in a cell before its direction is trusted (one passer-by
        /// gives a few; a real flow gives this within minutes).
        public var minCellSeconds = 30.0
        /// Seconds a person must keep moving against it before the event.
        public var confirmSeconds = 1.0
        /// A track's direction counts from this many sightings.
        public var settledHits = 3

        public init() {}
    }

    public struct Observation: Sendable {
        /// How strongly this pass shows someone against the flow: the most negative cosine among
        /// the people moving in cells with a direction, as 0…1 (1: straight against).
        public var score: Double
        /// People against the flow for `confirmSeconds` on this pass, reported for the first time.
        public var opened: [MultiObjectTracker.Track]
        /// Everyone against the flow on this pass (confirmed or not yet).
        public var against: [MultiObjectTracker.Track]
    }

    public let settings: Settings
    /// Per cell: the sum of unit directions weighted by seconds, and the seconds.
    private var sumX: [Double], sumY: [Double], seconds: [Double]
    private var headings: [HeadingShares]
    private var againstSince: [Int: Double] = [:]
    private var reported = Set<Int>()
    private var lastLearned: Double?

    public init(settings: Settings = Settings()) {
        self.settings = settings
        sumX = Array(repeating: 0, count: settings.columns * settings.rows)
        sumY = sumX
        seconds = sumX
        headings = Array(repeating: HeadingShares(), count: sumX.count)
    }

    /// The learned direction of the cell at `feet` (0…1 of the picture), as a unit vector with
    /// its strength; nil until the cell has seen `minCellSeconds` of people moving.
    public func direction(atFeet x: Double, _ y: Double) -> (x: Double, y: Double, strength: Double)? {
        direction(ofCell: cell(x, y))
    }

    /// Cells of the grid.
    public var cells: Int { settings.columns * settings.rows }

    /// Cells whose people mostly walk one way (a trusted direction at least `minDirectionStrength`).
    public var directedCells: Int {
        (0..<cells).count { (direction(ofCell: $0)?.strength ?? 0) >= settings.minDirectionStrength }
    }

    private func direction(ofCell c: Int) -> (x: Double, y: Double, strength: Double)? {
        guard seconds[c] >= settings.minCellSeconds else { return nil }
        let mx = sumX[c] / seconds[c], my = sumY[c] / seconds[c]
        let strength = (mx * mx + my * my).squareRoot()
        guard strength > 0 else { return nil }
        return (mx / strength, my / strength, strength)
    }

    /// Adds the people moving on the pass at `t` to their cells' directions, each weighted by the
    /// seconds since the last pass learned (at most 1).
    public mutating func learn(_ tracks: [MultiObjectTracker.Track], at t: Double, aspect: Double) {
        let dt = lastLearned.map { min(1, max(0, t - $0)) } ?? 0
        lastLearned = t
        guard dt > 0 else { return }
        for (track, v, speed) in moving(tracks, at: t, aspect: aspect) {
            let c = cell(of: track)
            sumX[c] += v.x / speed * dt
            sumY[c] += v.y / speed * dt
            seconds[c] += dt
            headings[c].learn(vx: v.x, vy: v.y, weight: dt)
        }
    }

    /// The tracks after a pass at stream time `t`; `aspect`: the picture's width over its height.
    public mutating func observe(_ tracks: [MultiObjectTracker.Track], at t: Double, aspect: Double) -> Observation {
        var score = 0.0
        var against: [MultiObjectTracker.Track] = [], opened: [MultiObjectTracker.Track] = []
        var still = Set<Int>()
        for (track, v, speed) in moving(tracks, at: t, aspect: aspect) {
            guard let cosine = cosineToFlow(track, v: v, speed: speed) else { continue }
            score = max(score, -cosine)
            guard cosine <= settings.counterCosine, headsRarely(track, v: v) else { continue }
            against.append(track)
            still.insert(track.id)
            let since = againstSince[track.id] ?? t
            againstSince[track.id] = since
            if t - since >= settings.confirmSeconds - 1e-9, reported.insert(track.id).inserted { opened.append(track) }
        }
        // A person who stops or turns with the flow starts again from zero.
        againstSince = againstSince.filter { still.contains($0.key) }
        let alive = Set(tracks.map(\.id))
        reported = reported.filter { alive.contains($0) }
        return Observation(score: max(0, score), opened: opened, against: against)
    }

    /// Whether `track` moves against the direction of the cell it stands in now (more than 120°
    /// off a trusted direction), confirmed or not yet.
    public func isAgainst(_ track: MultiObjectTracker.Track, aspect: Double) -> Bool {
        let v = track.motion(aspect: aspect)
        let speed = (v.x * v.x + v.y * v.y).squareRoot()
        guard speed >= settings.movingSpeed, let cosine = cosineToFlow(track, v: v, speed: speed) else { return false }
        return cosine <= settings.counterCosine && headsRarely(track, v: v)
    }

    /// Whether few of the people learned where `track` stands head the way it does.
    private func headsRarely(_ track: MultiObjectTracker.Track, v: (x: Double, y: Double)) -> Bool {
        (headings[cell(of: track)].share(headingLike: v.x, v.y) ?? 0) <= settings.rareShare
    }

    /// Whether the cell `track` stands in has been learned long enough to say how people walk there
    /// (one way or every way); before that nobody there is known to be with or against the flow.
    public func knowsWhereHeStands(_ track: MultiObjectTracker.Track) -> Bool {
        seconds[cell(of: track)] >= settings.minCellSeconds
    }

    /// The cosine between a moving person's direction and his cell's, where the cell has a trusted direction.
    private func cosineToFlow(_ track: MultiObjectTracker.Track, v: (x: Double, y: Double), speed: Double) -> Double? {
        guard let d = direction(ofCell: cell(of: track)), d.strength >= settings.minDirectionStrength else { return nil }
        return (v.x * d.x + v.y * d.y) / speed
    }

    /// A new segment: no one is against the flow yet (the learned directions stay).
    public mutating func reset() {
        againstSince.removeAll()
        reported.removeAll()
        lastLearned = nil
    }

    /// Seconds of people moving learned, over all cells.
    public var learnedSeconds: Double { seconds.reduce(0, +) }

    /// People followed and seen on the pass at `t`, settled and moving, with their velocity (box heights a second).
    private func moving(_ tracks: [MultiObjectTracker.Track], at t: Double, aspect: Double) -> [(track: MultiObjectTracker.Track, v: (x: Double, y: Double), speed: Double)] {
        tracks.people(seenAt: t, settledHits: settings.settledHits).compactMap { track in
            let v = track.motion(aspect: aspect)
            let speed = (v.x * v.x + v.y * v.y).squareRoot()
            return speed >= settings.movingSpeed ? (track, v, speed) : nil
        }
    }

    /// The cell a person stands in (the bottom centre of his box).
    private func cell(of track: MultiObjectTracker.Track) -> Int { cell((track.box.x0 + track.box.x1) / 2, track.box.y1) }

    private func cell(_ x: Double, _ y: Double) -> Int {
        let c = min(settings.columns - 1, max(0, Int(x * Double(settings.columns))))
        let r = min(settings.rows - 1, max(0, Int(y * Double(settings.rows))))
        return r * settings.columns + c
    }
}
