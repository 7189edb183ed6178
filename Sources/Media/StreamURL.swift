import Foundation
import Redaction

/// A camera URL: what libav opens, and the form that may be shown in logs and errors.
public struct StreamURL: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable { case rtsp, http, file }

    /// The URL as configured, credentials included: only ever handed to libav.
    public let raw: String
    public let kind: Kind

    public init(_ raw: String) {
        self.raw = raw
        let lower = raw.lowercased()
        if lower.hasPrefix("rtsp://") || lower.hasPrefix("rtsps://") {
            kind = .rtsp
        } else if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            kind = .http
        } else {
            kind = .file
        }
    }

    /// True for sources a camera sends in real time (as opposed to files read as fast as we like).
    public var isLive: Bool { kind == .rtsp }

    /// `rtsp://user:***@host/path`: the password never leaves this type.
    public var masked: String { Self.mask(raw) }

    public var description: String { masked }

    /// Masks the password of every `scheme://user:password@` in a text (also inside libav messages).
    public static func mask(_ text: String) -> String { URLCredentials.mask(text) }
}
