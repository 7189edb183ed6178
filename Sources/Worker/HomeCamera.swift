import Events
import Falls
import Foundation
import Inference
import Media
import Perception
import RetinaConfig
import Vision
import Vocabulary

/// A home camera's analysis state (`kind: home`): the resident followed by pose while in view, the
/// fall decision over the postures, and the motion that tells a still home. The pose passes run on
/// the node's inference lane; this type decides when one is due and what its pose means. Used by
/// the camera's analysis task alone.
final class HomeCamera {
    let camera: CameraConfig
    let home: HomeSettings
    private let follower: PoseFollower
    private var watch: HomeWatch
    private var schedule: PerceptionSchedule
    private let scene = SceneModel(perspective: nil)
    private let activeHours: DailySchedule?
    private var segment: Int?
    /// Whether the last pass found the person: while it did, every pass at the rate is due; while
    /// nobody is in view, only frames with motion (and one every `PerceptionSchedule.stillRefresh`
    /// seconds, for a person lying still who was lost).
    private var following = false
    /// The latest pose, for the pictures of an inactivity that follows a fall.
    private(set) var lastPose: Pose?

    init(camera: CameraConfig, home: HomeSettings, follower: PoseFollower) {
        self.camera = camera
        self.home = home
        self.follower = follower
        var settings = HomeWatch.Settings()
        settings.inactivity = home.inactivity
        settings.stillFor = home.stillFor
        settings.restZones = DetectorFactory.zones(camera.zones.filter { $0.kind == .rest })
        watch = HomeWatch(settings: settings)
        schedule = PerceptionSchedule(rate: home.rate, gate: .motion)
        activeHours = home.activeHours.flatMap { try? DailySchedule.parse($0).get() }
    }

    /// The frame's motion evidence (every frame); true when the picture changed.
    func moved(_ frame: AnalysisFrame) -> Bool {
        if frame.segment != segment {
            // After a reconnect the person is looked for afresh.
            segment = frame.segment
            follower.reset()
            watch.resetPerson()
            following = false
        }
        scene.update(frame)
        return scene.changedFraction >= PerceptionSchedule.motionFraction
    }

    /// Whether the frame is due a pose pass, and how late that pass is on the camera's schedule, in
    /// its intervals (`InferenceLane` serves the most overdue first; a first pass grows late too).
    func ask(_ frame: AnalysisFrame, moving: Bool) -> (isDue: Bool, overdue: Double) {
        schedule.ask(segment: frame.segment, time: frame.streamTime, changedFraction: following || moving ? 1 : 0)
    }

    /// The pose pass itself: blocking, on the inference lane.
    func follow(_ picture: DecodedPicture) throws(InferenceError) -> Pose? { try follower.follow(picture) }

    /// What the frame means, with the pose of its pass (`looked`: a pass ran on it).
    func observe(_ frame: AnalysisFrame, looked: Bool, pose: Pose?, moving: Bool) -> [HomeWatch.Finding] {
        if looked {
            schedule.ran(segment: frame.segment, time: frame.streamTime)
            following = pose != nil
            if let pose { lastPose = pose }
        }
        let sample = looked ? pose.map { PostureSample($0, at: frame.streamTime) } : nil
        return watch.observe(sample, looked: looked, at: frame.streamTime, moving: moving, active: activeHours?.contains(frame.time) ?? true)
    }

    /// The rest zone the body is in, if any (a fall onto a bed names it).
    func restZone(of pose: Pose) -> String? {
        // The hip centre, as the fall decision reads it (`PostureSample`).
        watch.restZone(x: pose.next.centerX, y: pose.next.centerY)?.id
    }
}

/// The events of a home camera, in the shared schema and with the dedup rule of every fall
/// producer: `TYPE:SUBJECT` (one open fall per resident), so the same fall from Retina and from
/// another system (a radar, a wearable) merges into one event.
enum HomeEvents {
    static func dedupKey(_ type: EventType, subject: String) -> String { "\(type):\(subject)" }

    static func event(_ finding: HomeWatch.Finding, camera: CameraConfig, home: HomeSettings, pose: Pose?, zone: String?,
                      frame: AnalysisFrame, width: Int, height: Int) -> Event {
        let type: EventType
        var payload: [String: JSONValue] = ["subjectRef": .string(home.subject), "deviceType": .string("camera")]
        let rounded = { (v: Double) in JSONValue.number((v * 10).rounded() / 10) }
        // Stream seconds ago → wall time, for `downSince`.
        let wall = { (t: Double) in RFC3339.format(frame.time.addingTimeInterval(t - frame.streamTime)) }
        switch finding {
        case .fall(let alarm):
            type = .fallDetected
            payload["detectorEvent"] = .string(alarm.cause == .foundDown ? "lying" : "fall")
            payload["cause"] = .string(alarm.cause.rawValue)
            payload["downSince"] = .string(wall(alarm.downSince))
            payload["postFallInactivitySeconds"] = rounded(frame.streamTime - alarm.downSince)
        case .inactivity(let seconds, let downSince):
            type = .fallInactivity
            payload["detectorEvent"] = .string("inactivity")
            payload["downSince"] = .string(wall(downSince))
            payload["postFallInactivitySeconds"] = rounded(seconds)
        case .still(let seconds):
            type = .fallInactivity
            payload["detectorEvent"] = .string("motionless")
            payload["stillSeconds"] = rounded(seconds)
        }
        if let pose {
            payload["poseScore"] = .number((pose.score * 100).rounded() / 100)
            payload["lean"] = rounded(pose.lean)
            if let box = region(of: pose, width: width, height: height) { payload["region"] = box }
        }
        return Event(type: type, priority: PriorityTable.priority(of: type), source: EventFactory.source(camera, zone: zone),
                     location: EventFactory.location(camera), occurredAt: frame.time, detectedAt: Date(),
                     dedupKey: dedupKey(type, subject: home.subject), payload: .object(payload))
    }

    /// The body's box from its visible landmarks, normalised to the picture (as `payload.region`).
    static func region(of pose: Pose, width: Int, height: Int) -> JSONValue? {
        let seen = pose.landmarks.prefix(29).filter { $0.visibility > 0.5 }
        guard !seen.isEmpty, width > 0, height > 0 else { return nil }
        let clamp = { (v: Double) in min(max(v, 0), 1) }
        let x0 = clamp(seen.map(\.x).min()! / Double(width)), x1 = clamp(seen.map(\.x).max()! / Double(width))
        let y0 = clamp(seen.map(\.y).min()! / Double(height)), y1 = clamp(seen.map(\.y).max()! / Double(height))
        let r = { (v: Double) in JSONValue.number((v * 1000).rounded() / 1000) }
        return .object(["x": r(x0), "y": r(y0), "width": r(x1 - x0), "height": r(y1 - y0)])
    }

    /// A home event's pictures, private by default: the blurred picture with the skeleton and the
    /// skeleton alone for anyone on duty; the clear picture only for a fall (or the inactivity
    /// after one) and only with `keepClear`, restricted. Masked zones are black in all of them.
    static func pictures(for event: Event, finding: HomeWatch.Finding, pose: Pose?, picture: DecodedPicture,
                         camera: CameraConfig, home: HomeSettings, writer: EvidenceWriter) async -> [EvidenceRef] {
        let masks = DetectorFactory.zones(camera.masks)
        let (width, height) = (picture.width, picture.height)
        let masked: @Sendable () -> [UInt8]? = {
            guard var bgr = picture.pixels(.bgr, width: width, height: height) else { return nil }
            PictureMasks.blacken(masks, source: (width, height), in: &bgr, width: width, height: height)
            return bgr
        }
        var refs: [EvidenceRef] = []
        let confirmed: Bool
        if case .still = finding { confirmed = false } else { confirmed = true }
        if let ref = await writer.picture(for: event.id, camera: camera.id, at: event.occurredAt, name: "-blurred", privacy: .blurred, {
            guard var bgr = masked() else { return nil }
            PrivatePicture.blur(&bgr, width: width, height: height)
            if let pose { PrivatePicture.drawSkeleton(pose, on: &bgr, width: width, height: height) }
            return PackedPicture.jpeg(bgr, layout: .bgr, width: width, height: height)
        }) { refs.append(ref) }
        if let pose, let ref = await writer.picture(for: event.id, camera: camera.id, at: event.occurredAt, name: "-skeleton", privacy: .skeleton, {
            PackedPicture.jpeg(PrivatePicture.skeleton(pose, width: width, height: height), layout: .bgr, width: width, height: height)
        }) { refs.append(ref) }
        if confirmed, home.keepClear, let ref = await writer.picture(for: event.id, camera: camera.id, at: event.occurredAt, name: "-clear", privacy: .clear, {
            masked().flatMap { PackedPicture.jpeg($0, layout: .bgr, width: width, height: height) }
        }) { refs.append(ref) }
        return refs
    }
}
