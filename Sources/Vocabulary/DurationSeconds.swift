extension Duration {
    /// The duration as a number of seconds (for timings reported as ms or s).
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
