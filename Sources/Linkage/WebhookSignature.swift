import Crypto
import Foundation

/// A webhook's signature: HMAC-SHA256 with the subscriber's secret over `TIMESTAMP.BODY`, so a
/// receiver knows the body came from this site and was not replayed later (it checks the time).
public enum WebhookSignature {
    /// Unix seconds when the message was signed.
    public static let timestampHeader = "X-Retina-Timestamp"
    /// `sha256=` and the HMAC in hex.
    public static let signatureHeader = "X-Retina-Signature"
    /// `SUBSCRIBER:SEQ`: the same for every attempt at one message, for a receiver to drop repeats.
    public static let deliveryHeader = "X-Retina-Delivery"

    public static func sign(body: Data, timestamp: Int, secret: String) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// What a receiver does: the signature matches (compared in constant time) and the timestamp is
    /// within `tolerance` seconds of `now`.
    public static func verify(body: Data, timestamp: String, signature: String, secret: String, now: Date = Date(),
                              tolerance: Double = 300) -> Bool {
        guard let t = Int(timestamp), abs(now.timeIntervalSince1970 - Double(t)) <= tolerance else { return false }
        let expected = Array(sign(body: body, timestamp: t, secret: secret).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
