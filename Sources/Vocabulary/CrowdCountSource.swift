/// Where a crowd event's people count came from: the learned people detector (people whose feet
/// are in the zone), the crowd-density model (the zone was dense for the detector: its map summed
/// over the zone) or the classical estimate (foreground and edges through a linear crowd model).
/// Written in the event payload as `countSource`.
public enum CrowdCountSource: String, Sendable, Codable, CaseIterable {
    case detector, density, estimate

    /// The payload key it is written under.
    public static let payloadKey = "countSource"
}
