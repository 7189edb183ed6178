import Vocabulary

/// How a stream is opened and read; defaults as a camera's configuration has them (`StreamDefaults`).
public struct OpenOptions: Sendable, Equatable {
    public var transport: StreamTransport
    /// Deadline for connecting and reading the stream headers.
    public var openTimeout: Double
    /// A stream that delivers no packet for this long is stalled.
    public var stallTimeout: Double
    /// Decoder threads; 0 lets libavcodec choose.
    public var decoderThreads: Int

    public init(transport: StreamTransport = StreamDefaults.transport, openTimeout: Double = StreamDefaults.openTimeout,
                stallTimeout: Double = StreamDefaults.stallTimeout, decoderThreads: Int = StreamDefaults.decoderThreads) {
        self.transport = transport
        self.openTimeout = openTimeout
        self.stallTimeout = stallTimeout
        self.decoderThreads = decoderThreads
    }
}
