/// A camera's latest analysed picture for the office's live wall: one file per camera under the
/// evidence folder, overwritten every few seconds. Not evidence: no hash, no history, never exported.
/// Home cameras have none (their pictures leave the worker only with a confirmed fall).
public enum LivePicture {
    /// Seconds between two pictures of a camera.
    public static let every: Double = 5
    /// Width the picture is scaled down to (at most).
    public static let width = 640

    /// `live/<camera>.jpg`; nil for an id that is not a configuration's camera id.
    public static func relativePath(camera: String) -> String? {
        guard !camera.isEmpty, camera.count <= 128,
              camera.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }), camera != ".", camera != ".." else { return nil }
        return "live/\(camera).jpg"
    }
}
