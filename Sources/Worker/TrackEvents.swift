import Behaviour
import Foundation
import Perception
import RetinaConfig
import Tracking
import Vision
import Vocabulary

/// A camera's anomalies from its tracks (the learned passes followed by `MultiObjectTracker`):
/// `intrusion` and `loitering` of people in its zones from the first pass, and `vehicle`,
/// `running`, `counter_flow` and `dispersal` after the first `vehicleLearning` seconds of video
/// (summed over segments) learned as the camera's normal (its vehicles, its walking pace, the
/// directions its people walk in; the directions go on being learned after). The tracks' speed is
/// the flow detector's measure on their boxes (`carry`, every analysed frame), so a runner is fast
/// on the first pass after he starts; running is confirmed on the pass after that, at one pass a
/// second later than the flow detector's own running, which stays on.
struct TrackEvents {
    private var behaviours: TrackedBehaviours
    let learning: Double
    let vehiclesOn: Bool
    private(set) var learnedSeconds = 0.0
    /// The last pass saw a vehicle or runners that the next passes decide (`TrackedBehaviours.Outcome.undecided`).
    private(set) var undecided = false
    private var last: (segment: Int, time: Double)?

    /// Tracks must outlive the gaps between passes: a pass a second, and with the motion gate one
    /// every `stillRefresh` seconds of a still view (a person standing in a zone is still there).
    init(camera: CameraConfig, zones: [Zone]) {
        let gap = max(1 / camera.perception.rate, camera.perception.gate == .motion ? PerceptionSchedule.stillRefresh : 0)
        behaviours = TrackedBehaviours(passGap: gap, zones: zones)
        learning = camera.anomaly.vehicleLearning
        vehiclesOn = camera.anomaly.vehicles
    }

    var isLearning: Bool { learnedSeconds < learning }
    /// How fast this camera's people walk, as learned so far (box heights a second).
    var learnedPace: Double { behaviours.vehicles.normalWalk }

    /// People who crossed each zone's counting line, since the start.
    var crossings: [String: LineCrossing.Counts] { behaviours.lines.totals }

    /// People in and out a minute at each zone's counting line over the last minute, at stream time `t`.
    func flowPerMinute(at t: Double) -> [String: (into: Double, out: Double)] { behaviours.lines.perMinute(at: t) }

    /// The flow detector's motion on a frame of `segment` (every analysed frame, before its pass if
    /// it has one): the tracks move with it between passes (`TrackedBehaviours.carry`).
    mutating func carry(_ flow: FlowField, segment: Int) {
        guard last?.segment == segment else { return }  // the next pass starts the segment's tracks afresh
        behaviours.carry(flow)
    }

    /// Where this frame's people pass should look closer (`TrackedBehaviours.focus`); on a new
    /// segment, nothing is followed yet.
    func focus(_ flow: FlowField, segment: Int) -> Box? {
        last?.segment == segment ? behaviours.focus(flow) : MotionFocus.region(flow, tracks: [])
    }

    /// Whether the flow detector's running at stream time `t`, in `region` (pixels of a
    /// `width`×`height` picture), is about people this camera follows, none of whom runs: a person
    /// (a track, tentative ones too) the flow measured there now, and every such person slower
    /// than running (the tracks' threshold). Pixels at the edge of a sign someone walks behind, or
    /// a swinging arm, move fast where nobody runs; where the camera follows nobody there (or the
    /// flow has not measured them), the flow detector decides alone. While the camera still learns
    /// its normal, running is judged by the assumed walking pace: the pace being learned holds
    /// whatever passes now, runners too (the concourse's 4× run raised it to 1.5 box heights a
    /// second, and the runners at 2.1–2.9 were then "slower than running").
    func followsWithoutRunners(_ region: PixelRect, at t: Double, width: Int, height: Int) -> Bool {
        let (w, h) = (Double(max(1, width)), Double(max(1, height)))
        let area = Self.area(region, width: width, height: height)
        let walk = isLearning ? behaviours.vehicles.settings.defaultWalk : behaviours.vehicles.normalWalk
        let threshold = behaviours.running.threshold(walk: walk)
        let speeds = behaviours.tracker.tracks.compactMap { track -> Double? in
            guard track.kind == .person, track.current.iou(area) > 0 else { return nil }
            return track.flowSpeed(at: t, aspect: w / h)
        }
        return !speeds.isEmpty && speeds.allSatisfy { $0 < threshold }
    }

    /// Whether the flow detector's counter-flow in `region` (pixels of a `width`×`height` picture)
    /// is about people this camera follows (found on the last pass,
    /// where the flow carried them since), none of whom walks against the direction the tracks
    /// learned for where he stands (`CounterFlowWatch`): a person crossing a concourse where
    /// people walk every way is no counter-flow. Where it follows nobody there, or the tracks have
    /// not yet learned how people walk where one of them stands, the flow detector decides alone.
    func followsWithoutCounterFlow(_ region: PixelRect, width: Int, height: Int) -> Bool {
        let area = Self.area(region, width: width, height: height)
        let there = behaviours.tracker.foundLastUpdate.filter { $0.kind == .person && $0.current.iou(area) > 0 }
        let aspect = Double(max(1, width)) / Double(max(1, height))
        return !there.isEmpty && there.allSatisfy { behaviours.counterFlow.knowsWhereHeStands($0) }
            && !there.contains { behaviours.counterFlow.isAgainst($0, aspect: aspect) }
    }

    /// Whether the tracks overrule the flow detector's `detection` on the frame at stream time `t`:
    /// its running or counter-flow where the people it is about are followed and none of them runs
    /// or walks against the flow.
    func overrules(_ detection: Vision.Detection, at t: Double, width: Int, height: Int) -> Bool {
        guard detection.labels["source"] == nil, let region = detection.region else { return false }
        switch detection.subtype {
        case .running: return followsWithoutRunners(region, at: t, width: width, height: height)
        case .counterFlow: return followsWithoutCounterFlow(region, width: width, height: height)
        default: return false
        }
    }

    /// A region in pixels of a `width`×`height` picture, in 0…1 of it.
    private static func area(_ region: PixelRect, width: Int, height: Int) -> Box {
        let (w, h) = (Double(max(1, width)), Double(max(1, height)))
        return Box(x0: Double(region.x) / w, y0: Double(region.y) / h,
                   x1: Double(region.x + region.width) / w, y1: Double(region.y + region.height) / h)
    }

    /// One pass of the detector on a `width`×`height` picture at stream `time` of `segment` (wall time `date`).
    mutating func pass(_ detections: [Perception.Detection], segment: Int, time: Double, date: Date, width: Int, height: Int) -> [Vision.Detection] {
        if let last, last.segment == segment, time >= last.time {
            // Gaps longer than a few seconds (a still view skipped by the motion gate) are not learning.
            if isLearning { learnedSeconds += min(5, time - last.time) }
        } else {
            behaviours.reset()  // a new segment: nothing tracked before continues
        }
        last = (segment, time)
        let outcome = behaviours.pass(detections, at: time, date: date, width: width, height: height, learning: isLearning)
        undecided = (vehiclesOn && outcome.vehicles?.undecided == true) || outcome.running?.undecided == true
        let (w, h) = (Double(width), Double(height))
        func region(_ b: Box) -> PixelRect { PixelRect(x: Int(b.x0 * w), y: Int(b.y0 * h), width: Int(b.width * w), height: Int(b.height * h)) }
        var out = outcome.zones.map { event in
            Vision.Detection(type: .motionAnomaly, subtype: event.kind == .intrusion ? .intrusion : .loitering, zone: event.zone, score: 1,
                             region: region(event.box), measurements: ["seconds": (event.seconds * 10).rounded() / 10, "trackId": Double(event.trackId)],
                             labels: ["source": "tracks"])
        }
        let aspect = w / max(1, h)
        if let running = outcome.running, !running.runners.isEmpty {
            let union = Self.enclosing(running.runners)
            let feet = running.runners[0].box.feet(width: width, height: height)
            out.append(Vision.Detection(
                type: .motionAnomaly, subtype: .running, zone: behaviours.zones.zones.first { $0.contains(feet) }?.id ?? "all",
                score: min(1, running.score / 2), region: region(union),
                measurements: ["runners": Double(running.runners.count),
                               "speedHeightsPerSecond": (running.fastest * 100).rounded() / 100,
                               "thresholdHeightsPerSecond": (running.threshold * 100).rounded() / 100],
                labels: ["source": "tracks"]))
        }
        if let against = outcome.counterFlow {
            out += against.opened.map { track in
                let feet = track.box.feet(width: width, height: height)
                let v = track.motion(aspect: aspect)
                return Vision.Detection(
                    type: .motionAnomaly, subtype: .counterFlow, zone: behaviours.zones.zones.first { $0.contains(feet) }?.id ?? "all",
                    score: min(1, against.score), region: region(track.detected),
                    measurements: ["speedHeightsPerSecond": ((v.x * v.x + v.y * v.y).squareRoot() * 100).rounded() / 100,
                                   "trackId": Double(track.id)],
                    labels: ["source": "tracks"])
            }
        }
        if let scattering = outcome.dispersal, !scattering.opened.isEmpty {
            let union = Self.enclosing(scattering.opened)
            let centre = Point(x: scattering.centre.x * w, y: scattering.centre.y * h)
            out.append(Vision.Detection(
                type: .motionAnomaly, subtype: .dispersal, zone: behaviours.zones.zones.first { $0.contains(centre) }?.id ?? "all",
                score: scattering.score, region: region(union),
                measurements: ["persons": Double(scattering.opened.count), "outwardShare": (scattering.score * 100).rounded() / 100],
                labels: ["source": "tracks"]))
        }
        guard vehiclesOn, let seen = outcome.vehicles else { return out }
        out += seen.opened.map { track in
            let feet = track.box.feet(width: width, height: height)
            return Vision.Detection(
                type: .motionAnomaly, subtype: .vehicle, zone: behaviours.zones.zones.first { $0.contains(feet) }?.id ?? "all",
                score: Double(track.score), region: region(track.detected),
                measurements: ["speedHeightsPerSecond": (track.currentSpeed(aspect: aspect) * 100).rounded() / 100,
                               "normalWalkHeightsPerSecond": (behaviours.vehicles.normalWalk * 100).rounded() / 100,
                               "trackId": Double(track.id)],
                labels: ["class": COCOClass.names.indices.contains(track.classIndex) ? COCOClass.names[track.classIndex] : "vehicle",
                         "source": "tracks"]
            )
        }
        return out
    }

    /// The box around the last detected boxes of `tracks` (not empty).
    private static func enclosing(_ tracks: [MultiObjectTracker.Track]) -> Box {
        tracks.dropFirst().reduce(tracks[0].detected) { $0.union($1.detected) }
    }
}
