import Perception
import Vocabulary

/// The whole deployment as one YAML file describes it: the store, camera groups and cameras.
public struct Configuration: Sendable, Equatable {
    /// Where the file came from (for messages); `<embedded demo>` for the built-in one.
    public var source: String
    /// Store URL (`sqlite:PATH`, `postgres://…`); nil means the command line or environment decides.
    public var store: String?
    /// Folder for event evidence (snapshots, clips); nil means the command line decides.
    public var evidence: String?
    /// Event clips as `evidence.clips` sets them for every camera (a camera's `clips:` overrides).
    public var clips = ClipSettings()
    public var groups: [CameraGroup]
    public var cameras: [CameraConfig]
    /// Where events are pushed out to (MQTT, webhooks); empty: nowhere.
    public var linkage = LinkageConfig()

    public func cameras(inGroup group: String) -> [CameraConfig] { cameras.filter { $0.group == group } }
}

/// A camera group: a compound, a mall, a scenic spot. One worker process serves one group.
public struct CameraGroup: Sendable, Equatable {
    public var id: String
    public var name: String?
}

public struct Location: Sendable, Equatable {
    public var lat: Double?
    public var lon: Double?
    public var placeCode: String?
    public var address: String?
    public var building: String?
}

public struct ZoneConfig: Sendable, Equatable {
    /// `watch` and `forbidden`: crowds, anomalies, intrusion. `rest` (home cameras): a bed or a sofa,
    /// where lying down is normal. `masked`: never shown, blacked out in every picture Retina keeps
    /// of the camera (a bathroom door).
    public enum Kind: String, Sendable, CaseIterable { case watch, forbidden, rest, masked }
    public var id: String
    /// Polygon in the camera's full-resolution pixel coordinates.
    public var polygon: [(x: Double, y: Double)]
    public var areaM2: Double?
    public var kind: Kind
    /// Warning-level entry values (blue, yellow, orange, red) in persons/m² (`thresholds`, needs
    /// `areaM2`) or in people (`countThresholds`).
    public var densityThresholds: [Double]?
    public var countThresholds: [Double]?
    /// Forbidden zones: daily windows when they are forbidden, e.g. "22:00-06:00".
    public var schedule: String?
    public var loiterSeconds: Double?
    /// A counting line across the zone's entrance (two points, pixels): people crossing it towards
    /// the zone's side are counted in, the other way out.
    public var line: [(x: Double, y: Double)]?

    public init(id: String, polygon: [(x: Double, y: Double)], areaM2: Double? = nil, kind: Kind = .watch,
                densityThresholds: [Double]? = nil, countThresholds: [Double]? = nil, schedule: String? = nil,
                loiterSeconds: Double? = nil, line: [(x: Double, y: Double)]? = nil) {
        self.id = id
        self.polygon = polygon
        self.areaM2 = areaM2
        self.kind = kind
        self.densityThresholds = densityThresholds
        self.countThresholds = countThresholds
        self.schedule = schedule
        self.loiterSeconds = loiterSeconds
        self.line = line
    }

    public static func == (a: ZoneConfig, b: ZoneConfig) -> Bool {
        a.id == b.id && a.areaM2 == b.areaM2 && a.kind == b.kind && a.densityThresholds == b.densityThresholds
            && a.countThresholds == b.countThresholds && a.schedule == b.schedule && a.loiterSeconds == b.loiterSeconds
            && a.polygon.count == b.polygon.count
            && zip(a.polygon, b.polygon).allSatisfy { $0.x == $1.x && $0.y == $1.y }
            && a.line?.count == b.line?.count && zip(a.line ?? [], b.line ?? []).allSatisfy { $0.x == $1.x && $0.y == $1.y }
    }
}

/// A person whose feet are at image row `footY` is `heightPx` tall (full-resolution pixels).
public struct PerspectiveSample: Sendable, Equatable {
    public var footY: Double
    public var heightPx: Double
}

/// How a camera is read and analysed; every field has a default that suits a typical IP camera
/// (`StreamDefaults`, the same the media layer has).
public struct StreamSettings: Sendable, Equatable {
    public var transport = StreamDefaults.transport
    public var analysisFps = StreamDefaults.analysisFps
    public var analysisWidth = StreamDefaults.analysisWidth
    public var analysisHeight: Int?
    /// Seconds to connect and read the stream headers.
    public var openTimeout = StreamDefaults.openTimeout
    /// Seconds without data before the stream counts as stalled.
    public var stallTimeout = StreamDefaults.stallTimeout
    /// Seconds of frames not analysed after a reconnect.
    public var settle = StreamDefaults.settle
    /// Reconnect delays in seconds, quick first; the last repeats.
    public var backoff = StreamDefaults.backoff
    /// A camera down this long is reported offline (one event per outage).
    public var offlineAfter: Double = 10
    /// Frames waiting for analysis per camera; beyond it the oldest is dropped.
    public var frameBuffer: Int = 4
    /// Pace file sources at their frame rate like a live camera (default: yes for files).
    public var pace: Bool?
    /// libavcodec threads per camera (0: one per core).
    public var decoderThreads = StreamDefaults.decoderThreads
    /// Seconds of video decoded together (0: every packet at once).
    public var decodeBurst = StreamDefaults.decodeBurst
    /// H.264 deblocking: `always`; `auto`, skipped on non-key frames only while this camera's
    /// decoding runs late; `keyframes`, skipped always (the cheapest).
    public var deblock = StreamDefaults.deblock
}

/// The crowd-density detector of a camera.
public struct CrowdSettings: Sendable, Equatable {
    public var enabled = true
    /// Crowd model file (from `retina calibrate`); nil: Models/crowd-generic.json.
    public var model: String?
    /// Seconds a new level must hold before it is announced.
    public var dwell = 30.0
    /// Seconds during which a fall back to a recently announced level is not announced again.
    public var cooldown = 120.0
    /// Seconds between updates of an open level event (count, peak, trend).
    public var updateEvery = 15.0
    /// Seconds ahead a zone's level is forecast (`crowd.forecast` warnings); nil: no forecast.
    public var forecast: Double? = 300
}

/// The motion-anomaly detector of a camera.
public struct AnomalySettings: Sendable, Equatable {
    public var enabled = true
    /// Body heights per second at which a point runs (walking is about 0.8).
    public var runningSpeed = 1.7
    /// People that must run together for a `running` event.
    public var minRunningPersons = 0.8
    /// Seconds without a detection before the same anomaly opens a new event.
    public var cooldown = 30.0
    /// `vehicle` events: a vehicle among pedestrians, from the learned detector's tracks (needs
    /// `perception.people`).
    public var vehicles = true
    /// Seconds of the camera's video learned as its normal before vehicle and running events from
    /// tracks are raised (how fast people walk here, whether vehicles pass).
    public var vehicleLearning = 600.0
}

/// Plain frame-difference motion (`motion.detected`): off by default, the anomaly detector covers
/// what an operator needs; useful for a quiet area at night.
public struct MotionSettings: Sendable, Equatable {
    public var enabled = false
    public var pixelThreshold = 20
    public var minZoneFraction = 0.004
    /// Seconds a zone must stay quiet before a new motion event opens.
    public var cooldown = 30.0
}

/// Learned people detection of a camera (YOLOX-Nano through ONNX Runtime): how often a frame is
/// looked at, and how. Its people count each zone's crowd; off (or without the runtime or model),
/// the classical estimate counts them.
public struct PerceptionSettings: Sendable, Equatable {
    /// When a pass is due: `motion`, only while the picture changes (and every `stillRefresh`
    /// seconds of a still picture); `always`, at the rate whatever the picture does.
    public enum Gate: String, Sendable, CaseIterable { case motion, always }
    /// At what scale a camera with two streams feeds the density model its substream: `main`, scaled
    /// up to the main stream's size (at most 1024 px, as a one-stream camera is fed): the model counts
    /// people at the size it learned them; `picture`, at the substream's own size: cheaper (a 640×360
    /// pass costs about a third) but on the overhead concourse it counted 16 % off, not 3 %.
    public enum DensityScale: String, Sendable, CaseIterable { case main, picture }

    public var people = true
    /// Detection passes per second of video, at most.
    public var rate = 1.0
    /// `1` (the default), the whole picture in one inference; `auto` adds tiles on pictures much larger than the model's input (7 inferences on 1080p); `CxR` adds that grid.
    public var tiles = TileSetting.whole
    public var gate = Gate.motion
    /// Whether zones the detector finds dense (`CrowdRegime`) are counted by the crowd-density model.
    public var density = true
    /// Seconds of video between two density passes of a camera with a dense zone, at least.
    public var densityEvery = 2.0
    /// Seconds between the density passes that check a camera with no dense zone (a crowd too dense
    /// for the detector to see anyone in is dense only by the density model).
    public var densityCheckEvery = 30.0
    public var densityScale = DensityScale.main
    /// Whether a dense zone is counted between the density model's passes from the people pass's
    /// own density (the detector's model carries the density head on its features), scaled by what
    /// the camera learns from frames both counted (`PassDensityScale`): once it has learned that,
    /// the density model runs every `densityCheckEvery` s on a dense camera instead of every
    /// `densityEvery`. Off, it runs every `densityEvery` as before (a count closer to the model's,
    /// for the CPU of a full density pass every 2 s).
    public var passDensity = true
    /// Detected people from which a zone is dense (`CrowdRegime.Thresholds.people`).
    public var denseFrom = CrowdRegime.Thresholds.standard.people
    /// Whether the camera leaves out of its counts what it has learned is no person
    /// (`StillLookalikes`: a sign, a cone). Off where people stand still for long (a queue).
    public var lookalikes = true
    /// Whether a people pass also looks closer where the picture moves and nobody is followed
    /// (`MotionFocus`: one more inference on a crop about half the picture each way, scaled up): far
    /// cyclists and small people the whole picture misses. Only on spare CPU (`NodeLoad.hasHeadroom`):
    /// a full node keeps the capacity it had without it.
    public var lookCloser = true
    /// Whether a pass that saw a vehicle or people running not yet decided (the behaviours decide
    /// on several sightings) is followed by more passes, five a second, until it is decided (a
    /// vehicle's event within a second, not three). Only on spare CPU (`NodeLoad.hasHeadroom`).
    public var followUp = true
    /// Passes a second a camera whose picture moves takes while the machine has CPU to spare
    /// (`NodeLoad.maySpare`) and the inference lane is unused (`InferenceLane.ifUnused`): `rate` is
    /// what a full node still gives every camera, this what a node with room gives (5: every
    /// analysed frame at the default 5 frames a second). 0 (`off`, the default) or no more than
    /// `rate`: `rate` alone. Off by default: it costs CPU a node has idle (16 dual-stream cameras:
    /// 112 % of the machine against 80 %) and a node of 32 or more cameras has little room for it
    /// (0–3 % of passes); the skips first seen with it at 32 cameras came from the density checks
    /// coming due together, spread since (Benchmarks/README).
    public var spareRate = 0.0

    /// Passes per second a camera may ask for.
    public static let rates: ClosedRange<Double> = 0.05...30
    /// Seconds between density passes a camera may ask for.
    public static let densityIntervals: ClosedRange<Double> = 0.2...600

    public init(people: Bool = true, rate: Double = 1.0, tiles: TileSetting = .whole, gate: Gate = .motion,
                density: Bool = true, densityEvery: Double = 2.0, densityCheckEvery: Double = 30, densityScale: DensityScale = .main,
                passDensity: Bool = true, denseFrom: Int = CrowdRegime.Thresholds.standard.people, lookalikes: Bool = true,
                lookCloser: Bool = true, followUp: Bool = true, spareRate: Double = 0) {
        self.people = people
        self.rate = rate
        self.tiles = tiles
        self.gate = gate
        self.density = density
        self.densityEvery = densityEvery
        self.densityCheckEvery = densityCheckEvery
        self.densityScale = densityScale
        self.passDensity = passDensity
        self.denseFrom = denseFrom
        self.lookalikes = lookalikes
        self.lookCloser = lookCloser
        self.followUp = followUp
        self.spareRate = spareRate
    }

    /// When a zone is dense for this camera.
    public var regimeThresholds: CrowdRegime.Thresholds {
        CrowdRegime.Thresholds(people: denseFrom)
    }
}

/// Event clips: the camera's compressed packets around an event, remuxed to MP4 (no re-encode).
public struct ClipSettings: Sendable, Equatable {
    public var enabled = true
    /// Seconds before the event's frame (the clip starts at the key frame at or before it).
    public var pre = 10.0
    /// Seconds after the event's frame; the clip is written once they have arrived.
    public var post = 10.0
    /// Seconds of compressed packets each camera keeps in memory (at least `pre`); nil: `pre` plus
    /// `ringSlack`, what a clip needs: it takes its pre-event packets from the ring when its event
    /// opens and follows the rest as they arrive, so the ring only has to reach back `pre` seconds
    /// from an event's frame for as long as the event may take to open after it.
    public var ring: Double?
    /// The seconds an event may open after its frame and still find all its pre-event packets.
    public static let ringSlack = 10.0
    /// The seconds the ring keeps.
    public var ringSeconds: Double { ring ?? pre + Self.ringSlack }
    /// Bytes the ring may hold per camera, whatever its seconds.
    public var maxBytes = 64_000_000

    public init(enabled: Bool = true, pre: Double = 10, post: Double = 10, ring: Double? = nil, maxBytes: Int = 64_000_000) {
        self.enabled = enabled
        self.pre = pre
        self.post = post
        self.ring = ring
        self.maxBytes = maxBytes
    }
}

/// What a camera looks at: a public place (crowds, anomalies, people), or the home of a resident
/// who lives alone (falls, private by default).
public enum CameraKind: String, Sendable, CaseIterable { case street, home }

/// A home camera (`kind: home`): whose home it is, how often the person in view is looked at, when
/// a person down or a still home raises `fall.inactivity`, and what pictures are kept.
public struct HomeSettings: Sendable, Equatable {
    /// The resident's pseudonymous reference (`payload.subjectRef`): the one the fall-detection
    /// system uses for the same person, so both sources of one fall merge into one event.
    public var subject: String
    /// Pose passes a second while someone is in view (the fall detector was measured at 5).
    public var rate = 5.0
    /// Seconds a person stays down after a fall before `fall.inactivity` (post-fall inactivity).
    public var inactivity = 60.0
    /// Seconds without any movement in the picture, within `activeHours`, before `fall.inactivity`
    /// (nobody seen moving for that long in the day); nil: off.
    public var stillFor: Double?
    /// Daily windows when a still home counts, e.g. "07:00-22:00"; nil: all day.
    public var activeHours: String?
    /// Whether the clear picture and clip of a confirmed fall are kept (restricted: every view is
    /// recorded); false keeps only the blurred picture and the skeleton.
    public var keepClear = true

    public init(subject: String) { self.subject = subject }

    /// Pose passes a second a home camera may ask for.
    public static let rates: ClosedRange<Double> = 0.5...15
}

/// An event's snapshots on a camera with two streams: every event goes out with the analysed
/// substream's frame.
public enum SnapshotSource: String, Sendable, CaseIterable {
    /// The main stream's full-resolution picture of the same moment follows (decoded from its packets).
    case main
    /// The substream's frame alone: cheaper.
    case detect
}

public struct CameraConfig: Sendable, Equatable {
    public var id: String
    public var name: String?
    /// As configured, credentials included: hand it only to the media layer, mask it everywhere else.
    /// With `detect`, the main stream: kept as packets for clips (and snapshots), never decoded.
    public var url: String
    /// The camera's analysis stream (a substream, e.g. 640×360): decoded and analysed instead of `url`.
    public var detect: String?
    /// With `detect`: whether the main stream's picture follows each event's snapshot.
    public var snapshot = SnapshotSource.main
    public var group: String
    /// 20-digit GB/T 28181 device code, where the camera has one.
    public var deviceId: String?
    public var location: Location?
    public var stream: StreamSettings
    public var zones: [ZoneConfig]
    public var perspective: [PerspectiveSample]
    public var motion: MotionSettings
    public var crowd = CrowdSettings()
    public var anomaly = AnomalySettings()
    public var clips = ClipSettings()
    public var enabled: Bool
    public var perception = PerceptionSettings()
    public var kind = CameraKind.street
    /// Set exactly when `kind` is `home`.
    public var home: HomeSettings?

    /// Zones that are never shown (`masked`), in full-resolution pixels.
    public var masks: [ZoneConfig] { zones.filter { $0.kind == .masked } }
}
