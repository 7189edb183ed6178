/// Cameras named on the command line (`retina run --camera ID=URL`): built directly, with the
/// stream, detector and clip defaults a file without `defaults:` gets, in one group `adhoc`, and
/// checked as a file's cameras are (identifiers, URLs, no id twice).
extension ConfigLoader {
    public static let adHocGroup = "adhoc"

    /// - Parameter baseDirectory: relative file paths are resolved against it.
    public static func adHoc(_ cameras: [(id: String, url: String)], source: String = "--camera",
                             baseDirectory: String = "") throws(ConfigError) -> Configuration {
        let r = NodeReader(file: source)
        var config = Configuration(source: source, store: nil, evidence: nil, groups: [CameraGroup(id: adHocGroup, name: nil)], cameras: [])
        var seen: [String: Int] = [:]
        for (i, camera) in cameras.enumerated() {
            // Named as the user wrote them: the 2nd --camera, or the camera's id.
            checkIdentifier(camera.id, nil, "#\(i + 1) id", r)
            if let first = seen[camera.id] { r.fail(nil, "#\(i + 1) id", "camera id '\(camera.id)' is already used by #\(first + 1)") }
            seen[camera.id] = i
            let url = resolveURL(camera.url, nil, "\(camera.id) url", baseDirectory, r)
            config.cameras.append(CameraConfig(
                id: camera.id, name: nil, url: url, group: adHocGroup, deviceId: nil, location: nil, stream: StreamSettings(),
                zones: [], perspective: [], motion: MotionSettings(), crowd: CrowdSettings(), anomaly: AnomalySettings(),
                clips: config.clips, enabled: true))
        }
        if cameras.isEmpty { r.fail(nil, "cameras", "lists no camera") }
        guard r.issues.isEmpty else { throw ConfigError(issues: r.issues) }
        return config
    }
}
