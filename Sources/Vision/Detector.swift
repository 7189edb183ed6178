import Foundation
import Vocabulary

/// One analysis frame as detectors see it.
public struct AnalysisFrame: Sendable {
    public let image: GrayImage
    /// Wall-clock time the camera saw the frame.
    public let time: Date
    /// Stream time in seconds (monotonic within a segment).
    public let streamTime: Double
    /// A new segment starts after every reconnection: state from the previous one must not be compared.
    public let segment: Int
    /// Size of the full-resolution picture; zone polygons and calibration are in its coordinates.
    public let sourceWidth: Int
    public let sourceHeight: Int

    public init(image: GrayImage, time: Date, streamTime: Double, segment: Int, sourceWidth: Int, sourceHeight: Int) {
        self.image = image
        self.time = time
        self.streamTime = streamTime
        self.segment = segment
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
    }
}

/// What a detector saw in one frame, before any event policy (levels, dwell, cooldown) applies.
public struct Detection: Sendable, Equatable {
    /// Event type in the shared schema, e.g. `motion.detected`, `crowd.density`, `motion.anomaly`.
    public var type: EventType
    public var subtype: EventSubtype?
    public var zone: String
    /// Detector-specific strength in 0…1 (or a calibrated score).
    public var score: Double
    /// Where, in source pixel coordinates.
    public var region: PixelRect?
    /// Named measurements for the event payload (count, density, speed…).
    public var measurements: [String: Double]
    /// Named labels for the event payload (level of service…).
    public var labels: [String: String]
    /// Crowd warning level (blue…red), for detectors that have levels.
    public var level: CrowdLevel?
    /// Set by detectors that manage their own episodes (crowd levels): detections with the same
    /// episode belong to one event, which is updated in place; nil lets the worker's episode policy decide.
    public var episode: String?
    /// True when this detection updates an episode already announced rather than opening one.
    public var isUpdate: Bool

    /// The subtype (`running`, `covered`), or the type for a detection without one: what the
    /// evaluation and the tests name a detection by.
    public var kind: String { subtype?.rawValue ?? type.rawValue }

    public init(type: EventType, subtype: EventSubtype? = nil, zone: String, score: Double,
                region: PixelRect? = nil, measurements: [String: Double] = [:], labels: [String: String] = [:],
                level: CrowdLevel? = nil, episode: String? = nil, isUpdate: Bool = false) {
        self.type = type
        self.subtype = subtype
        self.zone = zone
        self.score = score
        self.region = region
        self.measurements = measurements
        self.labels = labels
        self.level = level
        self.episode = episode
        self.isUpdate = isUpdate
    }
}

/// A detector holds one camera's state (background, learned motion…) and is fed that camera's
/// frames in order, from one task at a time. Detectors never see FFmpeg, SQL or HTTP.
public protocol Detector: AnyObject {
    /// Short stable name, used in logs and metrics.
    var name: String { get }
    /// Analyses one frame. A frame of a new segment must not be compared with the old segment's frames.
    func analyse(_ frame: AnalysisFrame) -> [Detection]
}
