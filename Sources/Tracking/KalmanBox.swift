import Perception

/// A box moving at constant velocity, as SORT and ByteTrack model it: centre, width and height,
/// each with its velocity, filtered by a Kalman filter. Their filter's matrices are block-diagonal
/// per coordinate (noise scaled by the box's height), so four independent two-state filters are the
/// same filter, without an 8×8 matrix. Time steps are seconds of video, not frames: a camera
/// analysed at an uneven rate (skipped passes) predicts over the real gap.
public struct KalmanBox: Sendable, Equatable {
    /// One coordinate: value and velocity (per second), and their covariance.
    struct Axis: Sendable, Equatable {
        var value: Double
        var velocity = 0.0
        var pvv: Double, pvd = 0.0, pdd: Double

        /// A new coordinate: its value as measured, its velocity unknown.
        init(_ value: Double, sigma: Double, velocitySigma: Double) {
            self.value = value
            pvv = sigma * sigma
            pdd = velocitySigma * velocitySigma
        }

        /// Constant velocity over `dt` s; `q`: the acceleration noise's standard deviation.
        mutating func predict(_ dt: Double, q: Double) {
            value += velocity * dt
            // P = F P Fᵀ + Q, F = [[1, dt], [0, 1]], Q from white acceleration noise.
            let q2 = q * q
            pvv += 2 * dt * pvd + dt * dt * pdd + q2 * dt * dt * dt * dt / 4
            pvd += dt * pdd + q2 * dt * dt * dt / 2
            pdd += q2 * dt * dt
        }

        /// A measurement with standard deviation `r`.
        mutating func update(_ measured: Double, r: Double) {
            let s = pvv + r * r
            let kv = pvv / s, kd = pvd / s
            let innovation = measured - value
            value += kv * innovation
            velocity += kd * innovation
            let (vv, vd, dd) = (pvv, pvd, pdd)
            pvv = (1 - kv) * vv
            pvd = (1 - kv) * vd
            pdd = dd - kd * vd
        }
    }

    var cx, cy, w, h: Axis

    /// Noise relative to the box's height: ByteTrack's weights (1/20 for position, 1/160 for
    /// velocity per frame), its velocities taken per second at `referenceRate` frames a second.
    static let positionWeight = 1.0 / 20
    static let velocityWeight = 1.0 / 160
    static let referenceRate = 10.0

    public init(_ box: Box) {
        let s = max(box.height, 1e-6)
        let (p, v) = (2 * Self.positionWeight * s, 10 * Self.velocityWeight * s * Self.referenceRate)
        cx = Axis((box.x0 + box.x1) / 2, sigma: p, velocitySigma: v)
        cy = Axis((box.y0 + box.y1) / 2, sigma: p, velocitySigma: v)
        w = Axis(box.width, sigma: p, velocitySigma: v)
        h = Axis(box.height, sigma: p, velocitySigma: v)
    }

    public var box: Box {
        let hw = max(w.value, 0) / 2, hh = max(h.value, 0) / 2
        return Box(x0: cx.value - hw, y0: cy.value - hh, x1: cx.value + hw, y1: cy.value + hh)
    }

    /// Velocity of the centre, in box coordinates per second.
    public var velocity: (x: Double, y: Double) { (cx.velocity, cy.velocity) }

    /// The box `dt` seconds later.
    public mutating func predict(_ dt: Double) {
        guard dt > 0 else { return }
        // Acceleration noise per second², relative to the height (ByteTrack's velocity noise per frame, per second²).
        let q = Self.velocityWeight * max(h.value, 1e-6) * Self.referenceRate * Self.referenceRate
        cx.predict(dt, q: q)
        cy.predict(dt, q: q)
        w.predict(dt, q: q)
        h.predict(dt, q: q)
    }

    public mutating func update(_ box: Box) {
        let r = Self.positionWeight * max(box.height, 1e-6)
        cx.update((box.x0 + box.x1) / 2, r: r)
        cy.update((box.y0 + box.y1) / 2, r: r)
        w.update(box.width, r: r)
        h.update(box.height, r: r)
    }
}
