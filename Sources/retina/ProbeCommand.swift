import ArgumentParser
import Foundation
import Media
import Vocabulary

struct Probe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open a stream and report its codec, size, frame rate and measured decode rate.",
        discussion: """
        Examples:
          retina probe rtsp://admin:secret@10.0.0.5/stream1
          retina probe --json --seconds 10 lobby.mp4
        """
    )

    @Argument(help: ArgumentHelp("Stream URL: rtsp://, http(s):// or a file.", valueName: "url"))
    var url: String

    @Flag(name: .long, help: "Print one JSON object: codec, width, height, fps, decodeFps.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("RTSP transport: tcp or udp.", valueName: "transport"))
    var transport: StreamTransport = StreamDefaults.transport

    @Option(name: .long, help: ArgumentHelp("Decode for at most this many seconds.", valueName: "seconds"))
    var seconds: Double = 5

    @Option(name: .long, help: ArgumentHelp("Decode at most this many frames.", valueName: "n"))
    var frames: Int = 250

    @Option(name: .long, help: ArgumentHelp("Decoder threads (0: automatic).", valueName: "n"))
    var threads: Int = 0

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for the stream to open.", valueName: "seconds"))
    var timeout: Double = 10

    @OptionGroup var logOptions: LogOptions

    func run() async throws {
        logOptions.bootstrap()
        let stream = StreamURL(url)
        let options = OpenOptions(transport: transport, openTimeout: timeout, stallTimeout: timeout, decoderThreads: threads)
        let (seconds, frames) = (seconds, frames)
        // libav blocks: probe on a thread of its own, not on the cooperative pool.
        let probe = try await runOnThread { () throws(MediaError) in
            try StreamProbe.probe(url: stream, options: options, seconds: seconds, maxFrames: frames)
        }
        if json {
            struct Out: Encodable { let codec: String; let width: Int; let height: Int; let fps: Double; let decodeFps: Double }
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys]
            let out = Out(codec: probe.codec, width: probe.width, height: probe.height,
                          fps: (probe.fps * 1000).rounded() / 1000, decodeFps: (probe.decodeFps * 10).rounded() / 10)
            print(String(decoding: try e.encode(out), as: UTF8.self))
        } else {
            print("""
            stream:     \(stream.masked)
            codec:      \(probe.codec)
            size:       \(probe.width)x\(probe.height)
            frame rate: \(String(format: "%.3f", probe.fps)) fps
            decoded:    \(probe.framesDecoded) frames at \(String(format: "%.1f", probe.decodeFps)) fps
            """)
        }
    }
}

extension StreamTransport: ExpressibleByArgument {}
