import Foundation

/// A supervisor's private copy of the configuration it last accepted (mode 0600: camera URLs carry
/// credentials), in a folder of its own that goes when the node stops. Workers read this copy,
/// never the file being edited.
public struct AcceptedConfig: Sendable {
    public let source: String
    public let path: String
    public var baseDirectory: String { (source as NSString).deletingLastPathComponent }

    /// Starts with `text`, the file as it was validated.
    public init(source: String, text: String) throws(WorkerError) {
        self.source = source
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retina-node-\(getpid())").path
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw WorkerError(message: "cannot create \(dir): \(error.localizedDescription)")
        }
        path = dir + "/" + (source as NSString).lastPathComponent
        try accept(text)
    }

    /// The source file as it is now.
    public func read() throws(WorkerError) -> String {
        guard let data = FileManager.default.contents(atPath: source) else { throw WorkerError(message: "\(source): cannot be read") }
        return String(decoding: data, as: UTF8.self)
    }

    /// Replaces the copy at once (write and rename), so a worker reads either the old or the new one.
    public func accept(_ text: String) throws(WorkerError) {
        let tmp = path + ".new"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw WorkerError(message: "cannot write \(tmp)")
        }
        guard rename(tmp, path) == 0 else { throw WorkerError(message: "cannot replace \(path): \(String(cString: strerror(errno)))") }
    }

    public func remove() { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
}
