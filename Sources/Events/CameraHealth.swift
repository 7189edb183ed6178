import Foundation

/// A camera's health as the worker last reported it.
public struct CameraHealthRecord: Sendable, Codable, Equatable {
    public var camera: String
    public var group: String?
    public var state: CameraState
    public var since: Date
    public var lastError: String?
    public var decodedFps: Double
    public var analysedFps: Double
    public var droppedFrames: Int
    public var reconnectsLastHour: Int
    public var stallsLastHour: Int
    public var reportedAt: Date

    public init(camera: String, group: String?, state: CameraState, since: Date, lastError: String?, decodedFps: Double,
                analysedFps: Double, droppedFrames: Int, reconnectsLastHour: Int, stallsLastHour: Int, reportedAt: Date) {
        self.camera = camera
        self.group = group
        self.state = state
        self.since = since
        self.lastError = lastError
        self.decodedFps = decodedFps
        self.analysedFps = analysedFps
        self.droppedFrames = droppedFrames
        self.reconnectsLastHour = reconnectsLastHour
        self.stallsLastHour = stallsLastHour
        self.reportedAt = reportedAt
    }
}

/// The camera-health share of a store: what the workers report and `retina status` and the office show.
public protocol CameraHealthStore: Sendable {
    /// Replaces each camera's record with the one given.
    func reportHealth(_ records: [CameraHealthRecord]) async throws
    /// Every camera's latest record, by group and camera.
    func health() async throws -> [CameraHealthRecord]
}
