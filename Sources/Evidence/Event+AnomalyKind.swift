import Events

extension Event {
    /// The kind of anomaly the police renderings map: the subtype, or the payload's `kind` for a
    /// producer that put it there (Retina writes both).
    var anomalyKind: EventSubtype? {
        subtype ?? payload["kind"]?.stringValue.map(EventSubtype.init(rawValue:))
    }
}
