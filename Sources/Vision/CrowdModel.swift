import Foundation

/// A linear people-count model over `CrowdFeatures`: count = intercept + Σ coefficient·feature.
/// Generic parameters ship in `Models/crowd-generic.json`; `retina calibrate` fits a camera's own
/// from a handful of labelled frames, starting from (and regularised towards) the generic ones.
public struct CrowdModel: Codable, Sendable, Equatable {
    public var version = 1
    /// What the numbers are and where they came from (data and command), for the reader of the file.
    public var description: String
    /// Feature names from `CrowdFeatures.names`, in the order of `coefficients`.
    public var features: [String]
    public var coefficients: [Double]
    public var intercept: Double
    /// Frames (dataset:frame) the model was fitted on, and the fit's error on them.
    public var fittedOn: [String]?
    public var trainingMAE: Double?

    public init(description: String, features: [String], coefficients: [Double], intercept: Double,
                fittedOn: [String]? = nil, trainingMAE: Double? = nil) {
        self.description = description
        self.features = features
        self.coefficients = coefficients
        self.intercept = intercept
        self.fittedOn = fittedOn
        self.trainingMAE = trainingMAE
    }

    /// Estimated people for the features of one zone (never negative).
    public func count(_ f: CrowdFeatures) -> Double {
        max(0, intercept + zip(indices, coefficients).reduce(0) { $0 + f.values[$1.0] * $1.1 })
    }

    private var indices: [Int] { features.map { CrowdFeatures.names.firstIndex(of: $0) ?? 0 } }

    /// Checks feature names; returns a message for the first problem.
    public func validate() -> String? {
        if features.count != coefficients.count {
            return "has \(features.count) features but \(coefficients.count) coefficients"
        }
        if let unknown = features.first(where: { !CrowdFeatures.names.contains($0) }) {
            return "names an unknown feature '\(unknown)' (known: \(CrowdFeatures.names.joined(separator: ", ")))"
        }
        if !(coefficients + [intercept]).allSatisfy(\.isFinite) { return "has a coefficient that is not a finite number" }
        return nil
    }

    public static func decode(_ data: Data) throws -> CrowdModel { try JSONDecoder().decode(CrowdModel.self, from: data) }

    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(self)) ?? Data()
    }

    /// Fits `features` to labelled counts by ridge regression towards `prior`: with few labelled
    /// frames (5–20 is what a deployment engineer labels) the prior keeps the fit sensible, and
    /// with many it lets the data decide. `strength` is the prior's weight in labelled frames.
    public static func fit(samples: [(features: CrowdFeatures, count: Double)], featureNames: [String],
                           prior: CrowdModel?, strength: Double = 3, description: String,
                           fittedOn: [String]? = nil) -> CrowdModel {
        // No free intercept: a scene's static offset is carried by `zoneEdgeWeight`, which scales
        // with the zone, so a model fitted on the whole picture also suits a smaller zone.
        let idx = featureNames.map { CrowdFeatures.names.firstIndex(of: $0)! }
        let k = idx.count
        let intercept = prior?.intercept ?? 0
        let rows = samples.map { s in idx.map { s.features.values[$0] } }
        let y = samples.map { $0.count - intercept }
        let n = Double(max(samples.count, 1))
        // Prior coefficients in this model's feature order (0 where the prior lacks a feature).
        var theta0 = [Double](repeating: 0, count: k)
        if let prior {
            for (j, name) in featureNames.enumerated() {
                if let p = prior.features.firstIndex(of: name) { theta0[j] = prior.coefficients[p] }
            }
        }
        // Each coefficient's penalty is scaled by its feature's mean square over the samples, so
        // that `strength` means the same for features of any unit.
        var scale = [Double](repeating: 1, count: k)
        for j in 0..<k { scale[j] = max(rows.reduce(0) { $0 + $1[j] * $1[j] } / n, 1e-9) }
        // Normal equations: (XᵀX + λ·S) θ = Xᵀy + λ·S θ0
        var a = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        var b = [Double](repeating: 0, count: k)
        for (r, target) in zip(rows, y) {
            for i in 0..<k {
                b[i] += r[i] * target
                for j in 0..<k { a[i][j] += r[i] * r[j] }
            }
        }
        for j in 0..<k {
            let penalty = strength * scale[j]
            a[j][j] += penalty
            b[j] += penalty * theta0[j]
        }
        let theta = solve(a, b) ?? theta0
        var model = CrowdModel(description: description, features: featureNames, coefficients: theta,
                               intercept: intercept, fittedOn: fittedOn)
        let errors = samples.map { abs(model.count($0.features) - $0.count) }
        model.trainingMAE = errors.isEmpty ? nil : errors.reduce(0, +) / Double(errors.count)
        return model
    }

    /// Gaussian elimination with partial pivoting; nil for a singular system.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        var m = a, v = b
        let n = v.count
        for col in 0..<n {
            guard let pivot = (col..<n).max(by: { abs(m[$0][col]) < abs(m[$1][col]) }), abs(m[pivot][col]) > 1e-12 else { return nil }
            m.swapAt(col, pivot)
            v.swapAt(col, pivot)
            for r in (col + 1)..<n {
                let f = m[r][col] / m[col][col]
                for c in col..<n { m[r][c] -= f * m[col][c] }
                v[r] -= f * v[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var s = v[r]
            for c in (r + 1)..<n { s -= m[r][c] * x[c] }
            x[r] = s / m[r][r]
        }
        return x
    }
}
