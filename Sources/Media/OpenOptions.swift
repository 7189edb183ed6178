/// How a stream is opened and read.
public struct OpenOptions: Sendable, Equatable {
    public enum Transport: String, Sendable, CaseIterable { case tcp, udp }

    /// RTSP transport; TCP by default (survives NAT and loss better than UDP for analysis).
    public var transport: Transport = .tcp
    /// Deadline for connecting and reading the stream headers.
    public var openTimeout: Double = 10
    /// A stream that delivers no packet for this long is stalled.
    public var stallTimeout: Double = 5
    /// Decoder threads; 0 lets libavcodec choose.
    public var decoderThreads: Int = 0

    public init(transport: Transport = .tcp, openTimeout: Double = 10, stallTimeout: Double = 5, decoderThreads: Int = 0) {
        self.transport = transport
        self.openTimeout = openTimeout
        self.stallTimeout = stallTimeout
        self.decoderThreads = decoderThreads
    }
}
