import Foundation

/// Perspective-normalised evidence of people in one zone of one frame. Every feature is a sum over the
/// zone's pixels weighted by the person size at that row, so that a far person and a near person
/// contribute the same: areas by 1/h², edge pixels (a band along the outline, whose length grows
/// with h) by 1/h.
public struct CrowdFeatures: Sendable, Equatable {
    /// Names in the order of `values`, as model files refer to them.
    public static let names = ["foreground", "edges", "foregroundEdges", "zoneEdgeWeight"]

    /// Foreground area against the background, in person-size units: moving people, and people
    /// standing still until the background absorbs them.
    public var foreground: Double
    /// Edge pixels of the current frame: sees people who stand still, plus the static edges of the
    /// scene (taken out by `zoneEdgeWeight`'s coefficient).
    public var edges: Double
    /// Edge pixels that are also foreground: outlines of people, without the scene's static edges.
    public var foregroundEdges: Double
    /// Σ 1/h over the zone: a constant per zone, so that a model's static-edge offset scales with
    /// the zone instead of being one number for every zone.
    public var zoneEdgeWeight: Double

    public init(foreground: Double, edges: Double, foregroundEdges: Double, zoneEdgeWeight: Double) {
        self.foreground = foreground
        self.edges = edges
        self.foregroundEdges = foregroundEdges
        self.zoneEdgeWeight = zoneEdgeWeight
    }

    public var values: [Double] { [foreground, edges, foregroundEdges, zoneEdgeWeight] }

    public static let zero = CrowdFeatures(foreground: 0, edges: 0, foregroundEdges: 0, zoneEdgeWeight: 0)

    /// `a + (b − a)·t`, for smoothing over time.
    public func blended(towards b: CrowdFeatures, _ t: Double) -> CrowdFeatures {
        CrowdFeatures(foreground: foreground + (b.foreground - foreground) * t,
                      edges: edges + (b.edges - edges) * t,
                      foregroundEdges: foregroundEdges + (b.foregroundEdges - foregroundEdges) * t,
                      zoneEdgeWeight: b.zoneEdgeWeight)
    }

    /// Features of every zone mask for the scene's current frame: one pass over the picture, with
    /// integer counts per row and the row's weight applied once.
    public static func measure(_ scene: SceneModel, masks: [ZoneMask]) -> [CrowdFeatures] {
        let w = scene.width, h = scene.height
        guard w > 0, h > 0 else { return masks.map { _ in .zero } }
        let fg = scene.background.foreground
        var result = [CrowdFeatures](repeating: .zero, count: masks.count)
        fg.withUnsafeBufferPointer { fg in
            scene.edges.withUnsafeBufferPointer { edges in
                for (z, mask) in masks.enumerated() where mask.width == w && mask.height == h {
                    var f = CrowdFeatures.zero
                    mask.inside.withUnsafeBufferPointer { inside in
                        guard fg.count >= w * h, edges.count >= w * h, inside.count >= w * h,
                              let m = inside.baseAddress, let a = fg.baseAddress, let e = edges.baseAddress else { return }
                        for y in 0..<h {
                            let (nz, nf, ne, nfe) = PixelKernels.zoneCounts(inside: m, fg: a, edges: e, offset: y * w, count: w)
                            guard nz > 0 else { continue }
                            let ph = scene.personHeight[y]
                            f.foreground += Double(nf) / (ph * ph)
                            f.edges += Double(ne) / ph
                            f.foregroundEdges += Double(nfe) / ph
                            f.zoneEdgeWeight += Double(nz) / ph
                        }
                    }
                    result[z] = f
                }
            }
        }
        return result
    }
}

/// Exponential smoothing of features over time (the count of a zone should not flicker with one
/// noisy frame); the time constant is in seconds of stream time.
public struct FeatureSmoother: Sendable {
    public let seconds: Double
    private var state: CrowdFeatures?
    private var lastTime: Double?

    public init(seconds: Double) { self.seconds = seconds }

    public mutating func add(_ f: CrowdFeatures, at time: Double) -> CrowdFeatures {
        guard let s = state, let last = lastTime, seconds > 0, time >= last else {
            state = f
            lastTime = time
            return f
        }
        let a = 1 - exp(-(time - last) / seconds)
        let next = s.blended(towards: f, a)
        state = next
        lastTime = time
        return next
    }

    public mutating func reset() { state = nil; lastTime = nil }
}
