import Foundation

/// A zone's crowd at one moment, as the office's crowd chart draws it: the count, the value in the
/// unit of the zone's levels (people, or persons/m²), the level, the levels' entry values and the
/// forecast. Workers record one per zone every few seconds; the store keeps a week.
public struct ZoneSample: Sendable, Codable, Equatable {
    public var camera: String
    public var zone: String
    public var group: String?
    public var at: Date
    public var count: Double
    public var value: Double
    /// `count` or `density`; nil for a zone without levels.
    public var unit: String?
    public var level: CrowdLevel?
    /// Entry values of blue, yellow, orange and red, in `unit`.
    public var bands: [Double]
    /// The value expected `horizonSeconds` from `at`.
    public var forecast: Double?
    public var horizonSeconds: Double?
    /// People crossing the zone's counting line into it and out of it, a minute, over the last
    /// minute (`crowd.flow`); nil for a zone without a line.
    public var inPerMinute: Double?
    public var outPerMinute: Double?

    public init(camera: String, zone: String, group: String?, at: Date, count: Double, value: Double, unit: String?, level: CrowdLevel?,
                bands: [Double], forecast: Double?, horizonSeconds: Double?, inPerMinute: Double? = nil, outPerMinute: Double? = nil) {
        self.camera = camera
        self.zone = zone
        self.group = group
        self.at = at
        self.count = count
        self.value = value
        self.unit = unit
        self.level = level
        self.bands = bands
        self.forecast = forecast
        self.horizonSeconds = horizonSeconds
        self.inPerMinute = inPerMinute
        self.outPerMinute = outPerMinute
    }
}

/// The store's series of zone samples.
public protocol ZoneSampleStore: Sendable {
    /// Records samples and drops those older than `keep` seconds.
    func recordZoneSamples(_ samples: [ZoneSample], keep: Double) async throws
    /// One zone's samples since `since`, oldest first.
    func zoneSeries(camera: String, zone: String, since: Date) async throws -> [ZoneSample]
    /// Every zone's latest sample since `since`.
    func latestZoneSamples(since: Date) async throws -> [ZoneSample]
}
