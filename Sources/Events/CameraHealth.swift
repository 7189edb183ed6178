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
    /// The learned models' passes on this camera since its worker started; nil where they do not run.
    public var learned: LearnedPasses?
    /// A camera with two streams: its main stream (kept as packets for clips and snapshots, not
    /// decoded); the fields above are then the analysed substream's. Nil for a camera with one.
    public var mainStream: StreamHealth?

    /// One stream's state: since when, why, and the frames a second it brings in.
    public struct StreamHealth: Sendable, Codable, Equatable {
        public var state: CameraState
        public var since: Date
        public var lastError: String?
        public var framesPerSecond: Double
        public var reconnectsLastHour: Int

        public init(state: CameraState, since: Date, lastError: String?, framesPerSecond: Double, reconnectsLastHour: Int) {
            self.state = state
            self.since = since
            self.lastError = lastError
            self.framesPerSecond = framesPerSecond
            self.reconnectsLastHour = reconnectsLastHour
        }
    }

    /// Detection passes, density passes, passes skipped because the process's inference threads
    /// stayed busy, the mean time of a pass and its mean wait for a thread, and the scale the camera
    /// learned for its passes' own density.
    public struct LearnedPasses: Sendable, Codable, Equatable {
        public var passes: Int
        public var densityPasses: Int
        public var skipped: Int
        public var msPerPass: Double
        /// Mean wait of a pass for a free inference thread (shared by the node's cameras), ms.
        public var waitMs: Double?
        /// What the camera multiplies its people passes' own density by to count a dense zone between
        /// the density model's passes (Perception's `PassDensityScale`); nil until it has learned it.
        public var densityScale: Double?

        public init(passes: Int, densityPasses: Int, skipped: Int, msPerPass: Double, waitMs: Double? = nil, densityScale: Double? = nil) {
            self.passes = passes
            self.densityPasses = densityPasses
            self.skipped = skipped
            self.msPerPass = msPerPass
            self.waitMs = waitMs
            self.densityScale = densityScale
        }
    }

    public init(camera: String, group: String?, state: CameraState, since: Date, lastError: String?, decodedFps: Double,
                analysedFps: Double, droppedFrames: Int, reconnectsLastHour: Int, stallsLastHour: Int, reportedAt: Date,
                learned: LearnedPasses? = nil, mainStream: StreamHealth? = nil) {
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
        self.learned = learned
        self.mainStream = mainStream
    }
}

/// The camera-health share of a store: what the workers report and `retina status` and the office show.
public protocol CameraHealthStore: Sendable {
    /// Replaces each camera's record with the one given.
    func reportHealth(_ records: [CameraHealthRecord]) async throws
    /// Every camera's latest record, by group and camera.
    func health() async throws -> [CameraHealthRecord]
}
