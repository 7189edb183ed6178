import Foundation
import Vocabulary

/// Motion anomalies from sparse optical flow on a grid: speeds are measured in body heights per
/// second (the perspective calibration), so "running" means the same near and far; every grid cell
/// learns its normal speed and direction online. Kinds (`subtype` of `motion.anomaly`): `running`,
/// `counter_flow`, `dispersal`, `intrusion`, `loitering`; a lasting change of the whole view is
/// `camera.tampered`.
public final class MotionAnomalyDetector: Detector {
    public struct Parameters: Sendable, Equatable, Codable {
        /// Grid spacing of flow points, in analysis pixels.
        public var gridStep = 8
        /// Changed pixels (since the previous frame) a grid cell needs before its point is tracked.
        public var minChangedPixels = 6
        public var flow = PyramidalFlow.Parameters()
        /// Speed (body heights per second) at or above which a point runs. Walking is about 0.8.
        public var runningSpeed = 1.7
        /// ...and at least this many times the cell's learned normal speed.
        public var runningFactor = 2.0
        /// Running points must add up to this many people (a group, not one jogger's arm).
        public var minRunningPersons = 0.8
        /// Seconds the running must last before it is reported.
        public var runningSeconds = 0.3
        /// Slowest speed (body heights/s) that counts as moving, for counter-flow and dispersal.
        public var movingSpeed = 0.35
        /// Against the learned direction: cosine at or below this (−0.5 = more than 120° off).
        public var counterCosine = -0.5
        /// A cell's learned direction counts only when this concentrated (mean resultant length).
        public var minDirectionStrength = 0.6
        /// …and a heading is against it only when at most this share of the cell's learned motion
        /// heads that way (`HeadingShares`): where a fifth of the people walk back, walking back is
        /// normal though the mean points the other way.
        public var counterRareShare = 0.1
        /// Seconds of motion seen in a cell before its learned direction is trusted (one passer-by
        /// gives a second or two; a real flow gives this within minutes).
        public var minCellMotionSeconds = 30.0
        /// Flow is measured between frames at least this far apart (seconds). The default takes
        /// consecutive frames up to 30 fps (measured best on the real 25 fps concourse); raise it for
        /// faster streams, where a frame-to-frame displacement is a fraction of a pixel.
        public var minFlowInterval = 0.03
        /// A point's motion is the median of its 3×3 grid neighbourhood (limbs swing faster than the
        /// body; single points are noise); points with fewer valid neighbours are dropped.
        public var minNeighbours = 3
        /// Pixels (analysis scale) within which a point moving at running speed, tracked back, must
        /// return to its start to count as running (`PyramidalFlow.returns`); 0: no check.
        public var runningRoundTrip = 2.0
        /// Counter-flow: this many people against the flow in one place (`CellGroups`: the largest
        /// group of neighbouring cells), for this long.
        public var counterFlowPersons = 0.5
        public var counterFlowSeconds = 1.0
        /// Dispersal: this share of moving points heading away from their common centre…
        public var dispersalOutwardShare = 0.7
        /// …at this speed (body heights/s)…
        public var dispersalSpeed = 1.6
        /// …spread over at least this many people.
        public var dispersalPersons = 2.0
        /// Foreground in a zone, in people, that counts as presence (intrusion, loitering).
        public var presencePersons = 0.3
        public var intrusionSeconds = 0.5
        /// Gaps shorter than this do not end a presence (someone briefly hidden).
        public var presenceGapSeconds = 2.0
        /// Seconds of warm-up before learned motion is trusted and events are raised.
        public var warmupSeconds = 2.0
        /// Learning time constant of the normal-motion statistics, in seconds.
        public var learningSeconds = 120.0
        /// Tampering: share of the picture that differs from the background…
        public var tamperForeground = 0.6
        /// …or edge energy below this share of its learned level…
        public var tamperEdgeRatio = 0.35
        /// …for this long.
        public var tamperSeconds = 3.0
        /// A frame whose pixels changed over this share of the picture is camera shake or a light
        /// switch, not people: it is not scored for motion anomalies.
        public var globalChangeShare = 0.45
        public init() {}
    }

    public let name = "motion-anomaly"

    public let parameters: Parameters
    public let scene: SceneModel
    private let zones: [Zone]
    private let flow: PyramidalFlow
    private var masks: [ZoneMask] = []

    /// Anomaly score of the last frame: ≥ 1 where running speed was seen (for AUC and metrics).
    public private(set) var lastScore = 0.0
    /// The flow measured on the last frame, for the tracker to carry its tracks between people
    /// passes; nil where none was (a segment's first frame, shake, a light switch, tampering).
    public private(set) var lastFlow: FlowField?

    // Learned normal motion per cell (cells of 4×4 grid points).
    private var cellsX = 0, cellsY = 0
    private var cellSpeed: [Double] = []
    private var cellDirX: [Double] = []
    private var cellDirY: [Double] = []
    private var cellCount: [Double] = []
    private var cellFrames: [Double] = []
    private var cellEvidence: [Double] = []
    private var cellHeadings: [HeadingShares] = []
    /// One frame's sums per cell while it is learned (kept between frames: no allocation a frame).
    private var frameX: [Double] = [], frameY: [Double] = [], frameN: [Double] = [], frameWeight: [Double] = []
    /// Recent pyramids, oldest first: flow is measured from the newest one at least
    /// `minFlowInterval` old, so every frame gets a fresh measurement at any frame rate.
    private var recent: [(pyramid: [GrayImage], time: Double)] = []

    private var runningFor = 0.0
    private var counterFor = 0.0
    private var wasDispersing = false
    private var sceneAge = 0.0
    private var tamperFor = 0.0
    private var learnedEdgeEnergy: Double?
    private var zonePresence: [String: (since: Double, lastSeen: Double, reported: Bool)] = [:]
    private var intrusionFor: [String: Double] = [:]
    private var clock = 0.0

    /// - Parameter scene: the camera's shared scene model (this detector updates it if needed).
    public init(scene: SceneModel, zones: [Zone] = [], parameters: Parameters = Parameters()) {
        self.scene = scene
        self.zones = zones
        self.parameters = parameters
        flow = PyramidalFlow(parameters: parameters.flow)
    }

    public func analyse(_ frame: AnalysisFrame) -> [Detection] {
        scene.update(frame)
        lastScore = 0
        lastFlow = nil
        let w = scene.width, h = scene.height
        // Only zones this detector watches (forbidden, or with a loitering limit) cost a pass over
        // the picture per frame; the crowd detector measures the rest.
        let watched = zones.filter { $0.kind == .forbidden || $0.loiterSeconds != nil }
        if masks.first.map({ $0.width != w || $0.height != h }) ?? !watched.isEmpty {
            masks = watched.map { ZoneMask(zone: $0, sourceWidth: frame.sourceWidth, sourceHeight: frame.sourceHeight, width: w, height: h) }
        }
        if scene.isFirstOfSegment {
            resetEpisodes()
            sceneAge = 0
            recent = [(scene.pyramid, frame.streamTime)]
            return []
        }
        let frameDt = max(scene.dt, 1e-3)
        sceneAge += frameDt
        clock += frameDt
        let sx = Double(frame.sourceWidth) / Double(w), sy = Double(frame.sourceHeight) / Double(h)

        if let tampered = checkTamper(dt: frameDt, frame: frame) {
            recent = [(scene.pyramid, frame.streamTime)]
            return [tampered]
        }
        let zoneDetections = zoneChecks(frame: frame, dt: frameDt, sx: sx, sy: sy)
        // Camera shake, a light switch: the whole picture changes; nothing to learn or score.
        if scene.changedFraction > parameters.globalChangeShare {
            recent = [(scene.pyramid, frame.streamTime)]
            return zoneDetections
        }
        let now = frame.streamTime
        let ref = recent.last { now - $0.time >= parameters.minFlowInterval - 1e-6 }
        recent.append((scene.pyramid, now))
        // Keep only what a later frame may still need: everything newer than the newest old-enough one.
        if let keep = recent.lastIndex(where: { now - $0.time >= parameters.minFlowInterval - 1e-6 }) { recent.removeFirst(keep) }
        guard let ref else { return zoneDetections }
        let dt = max(now - ref.time, 1e-3)
        var detections: [Detection] = []
        let vectors = smoothed(trackGrid(from: ref.pyramid, previousFrame: abs(now - scene.dt - ref.time) < 1e-6))
        lastFlow = FlowField(width: w, height: h, dt: dt, time: now, vectors: vectors)
        ensureCells(w: w, h: h)
        let warm = sceneAge >= parameters.warmupSeconds
        let step = Double(parameters.gridStep)

        struct Moving { var x: Double; var y: Double; var vx: Double; var vy: Double; var speed: Double; var persons: Double; var cell: Int }
        var moving: [Moving] = []
        for v in vectors {
            let ph = scene.personHeight[min(max(v.y, 0), h - 1)]
            let vx = Double(v.dx) / dt / ph, vy = Double(v.dy) / dt / ph  // body heights per second
            let speed = (vx * vx + vy * vy).squareRoot()
            let cell = min(v.y / (parameters.gridStep * 4), cellsY - 1) * cellsX + min(v.x / (parameters.gridStep * 4), cellsX - 1)
            // A grid point stands for step² pixels; a person covers about 0.3·h² of them.
            moving.append(Moving(x: Double(v.x), y: Double(v.y), vx: vx, vy: vy, speed: speed,
                                 persons: step * step / (0.3 * ph * ph), cell: cell))
        }

        // Running: per point, speed against max(absolute floor, factor × the cell's normal speed).
        var runningPersons = 0.0
        var ranked: [(ratio: Double, persons: Double)] = []
        var runBox = (minX: Int.max, minY: Int.max, maxX: -1, maxY: -1)
        var ratios = moving.map { m in
            m.speed / max(parameters.runningSpeed, cellEvidence[m.cell] >= parameters.minCellMotionSeconds / 4 ? cellSpeed[m.cell] * parameters.runningFactor : 0)
        }
        // A point at running speed counts only if its motion, tracked back, returns to it: where
        // two people cross or one leaves the picture the flow can be fast and wrong (PETS, a man
        // walking out at the right edge past another; an end on bare road or off the picture cannot
        // be tracked back and does not return). Checked on the fast points alone, a few a frame.
        if parameters.runningRoundTrip > 0 {
            let fast = ratios.indices.filter { ratios[$0] >= 1 }
            let back = flow.returns(fast.map { vectors[$0] }, previous: ref.pyramid, current: scene.pyramid,
                                    tolerance: Float(parameters.runningRoundTrip))
            for (i, returned) in zip(fast, back) where !returned { ratios[i] = 0 }
        }
        for (m, ratio) in zip(moving, ratios) {
            ranked.append((ratio, m.persons))
            if ratio >= 1 {
                runningPersons += m.persons
                runBox = (min(runBox.minX, Int(m.x)), min(runBox.minY, Int(m.y)), max(runBox.maxX, Int(m.x)), max(runBox.maxY, Int(m.y)))
            }
        }
        // Score: the speed ratio that at least `minRunningPersons` of moving people reach (≥ 1 exactly
        // when the running rule holds), so one fast limb or one bad vector cannot raise it alone.
        ranked.sort { $0.ratio > $1.ratio }
        var mass = 0.0
        lastScore = 0
        for r in ranked {
            mass += r.persons
            if mass >= parameters.minRunningPersons { lastScore = r.ratio; break }
        }
        let isRunning = runningPersons >= parameters.minRunningPersons
        runningFor = isRunning ? runningFor + frameDt : 0
        if warm, isRunning, runningFor >= parameters.runningSeconds {
            let region = PixelRect(x: runBox.minX, y: runBox.minY, width: runBox.maxX - runBox.minX + parameters.gridStep,
                                   height: runBox.maxY - runBox.minY + parameters.gridStep).scaled(sx, sy)
            detections.append(Detection(type: .motionAnomaly, subtype: .running, zone: "all", score: min(1, lastScore / 2),
                                        region: region, measurements: ["runningPersons": runningPersons, "score": lastScore,
                                                                       "peakSpeed": moving.map(\.speed).max() ?? 0]))
        }

        // Counter-flow: moving against a strongly learned direction of the cell, decided on the
        // largest group of neighbouring cells (one place), not summed over the picture.
        var against: [CellGroups.Point] = []
        for m in moving where m.speed >= parameters.movingSpeed && cellEvidence[m.cell] >= parameters.minCellMotionSeconds {
            let dx = cellDirX[m.cell], dy = cellDirY[m.cell]
            let strength = (dx * dx + dy * dy).squareRoot()
            guard strength >= parameters.minDirectionStrength else { continue }
            let cosine = (m.vx * dx + m.vy * dy) / (m.speed * strength)
            if cosine <= parameters.counterCosine, (cellHeadings[m.cell].share(headingLike: m.vx, m.vy) ?? 0) <= parameters.counterRareShare {
                against.append(CellGroups.Point(cell: m.cell, x: Int(m.x), y: Int(m.y), persons: m.persons))
            }
        }
        let counterGroup = CellGroups.largest(against, cellsX: cellsX, cellsY: cellsY)
        let counterPersons = counterGroup?.persons ?? 0
        counterFor = counterPersons >= parameters.counterFlowPersons ? counterFor + frameDt : 0
        if warm, counterFor >= parameters.counterFlowSeconds, let g = counterGroup {
            let region = PixelRect(x: g.minX, y: g.minY, width: g.maxX - g.minX + parameters.gridStep,
                                   height: g.maxY - g.minY + parameters.gridStep).scaled(sx, sy)
            detections.append(Detection(type: .motionAnomaly, subtype: .counterFlow, zone: "all", score: min(1, counterPersons),
                                        region: region, measurements: ["counterFlowPersons": counterPersons]))
        }

        // Dispersal: most moving points heading away from their common centre, fast, suddenly.
        let fast = moving.filter { $0.speed >= parameters.movingSpeed }
        var dispersing = false
        let fastPersons = fast.reduce(0) { $0 + $1.persons }
        if fast.count >= 6, fastPersons >= parameters.dispersalPersons {
            let cx = fast.reduce(0) { $0 + $1.x } / Double(fast.count), cy = fast.reduce(0) { $0 + $1.y } / Double(fast.count)
            var outward = 0, speedSum = 0.0
            for m in fast {
                let rx = m.x - cx, ry = m.y - cy
                let r = (rx * rx + ry * ry).squareRoot()
                if r > 0, (m.vx * rx + m.vy * ry) / (r * m.speed) >= 0.6 { outward += 1 }
                speedSum += m.speed
            }
            dispersing = Double(outward) >= parameters.dispersalOutwardShare * Double(fast.count)
                && speedSum / Double(fast.count) >= parameters.dispersalSpeed
            if warm, dispersing, !wasDispersing {
                detections.append(Detection(type: .motionAnomaly, subtype: .dispersal, zone: "all",
                                            score: Double(outward) / Double(fast.count),
                                            region: PixelRect(x: Int(cx) - 1, y: Int(cy) - 1, width: 2, height: 2).scaled(sx, sy),
                                            measurements: ["outwardShare": Double(outward) / Double(fast.count),
                                                           "meanSpeed": speedSum / Double(fast.count)]))
            }
        }
        wasDispersing = dispersing

        // Learn normal motion from frames without running or dispersal. Frames against the flow are
        // learned too: a heading people keep taking becomes normal within minutes (left out, a
        // minority first seen after its cell was trusted would be against the flow for ever), and
        // one person's seconds against it hardly move a cell's shares.
        if !isRunning && !dispersing {
            learn(moving.map { ($0.cell, $0.vx, $0.vy, $0.speed, $0.persons) }, dt: frameDt)
        }
        return zoneDetections + detections
    }

    /// Each vector replaced by the component-wise median of the valid vectors in its 3×3 grid
    /// neighbourhood; isolated vectors are dropped.
    private func smoothed(_ vectors: [PyramidalFlow.Vector]) -> [PyramidalFlow.Vector] {
        let step = parameters.gridStep
        let gw = scene.width / step + 2, gh = scene.height / step + 2
        // Grid of indices into `vectors` (−1: no vector), with a one-cell border.
        var grid = [Int32](repeating: -1, count: gw * gh)
        for (i, v) in vectors.enumerated() { grid[(v.y / step + 1) * gw + v.x / step + 1] = Int32(i) }
        var out: [PyramidalFlow.Vector] = []
        out.reserveCapacity(vectors.count)
        var xs = [Float](repeating: 0, count: 9), ys = [Float](repeating: 0, count: 9)
        for v in vectors {
            var n = 0
            let c = (v.y / step + 1) * gw + v.x / step + 1
            for o in [c - gw - 1, c - gw, c - gw + 1, c - 1, c, c + 1, c + gw - 1, c + gw, c + gw + 1] where grid[o] >= 0 {
                let u = vectors[Int(grid[o])]
                xs[n] = u.dx; ys[n] = u.dy
                n += 1
            }
            guard n >= parameters.minNeighbours else { continue }
            let mx = xs[0..<n].sorted()[n / 2], my = ys[0..<n].sorted()[n / 2]
            out.append(.init(x: v.x, y: v.y, dx: mx, dy: my))
        }
        return out
    }

    /// Grid points whose cell changed since the reference frame, tracked by pyramidal LK. When the
    /// reference is the previous frame (the usual case) the scene's change mask already says which.
    private func trackGrid(from previous: [GrayImage], previousFrame: Bool) -> [PyramidalFlow.Vector] {
        guard let base = previous.first, base.width == scene.width, base.height == scene.height else { return [] }
        let w = scene.width, h = scene.height, step = parameters.gridStep
        let margin = parameters.flow.radius + 2
        var points: [(x: Int, y: Int)] = []
        let changedMask = previousFrame ? scene.changed : changedSince(base)
        changedMask.withUnsafeBufferPointer { changed in
            guard let changed = changed.baseAddress, changedMask.count >= w * h else { return }
            var y = step / 2
            while y < h - margin {
                var x = step / 2
                if y >= margin {
                    while x < w - margin {
                        if x >= margin {
                            var n = 0
                            let x0 = x - step / 2, y0 = y - step / 2
                            for yy in y0..<min(y0 + step, h) {
                                n &+= PixelKernels.ones(changed, offset: yy * w + x0, count: min(x0 + step, w) - x0)
                            }
                            if n >= parameters.minChangedPixels { points.append((x, y)) }
                        }
                        x += step
                    }
                }
                y += step
            }
        }
        return flow.track(points, previous: previous, current: scene.pyramid)
    }

    /// Pixels that changed between `base` and the current frame (the scene's light fit taken out).
    private func changedSince(_ base: GrayImage) -> [UInt8] {
        guard let current = scene.pyramid.first else { return [] }
        var out: [UInt8] = []
        ImageOps.markDifferent(current, from: base, gain: scene.background.gain, offset: scene.background.offset,
                               threshold: scene.parameters.changeThreshold, into: &out)
        return out
    }

    private func ensureCells(w: Int, h: Int) {
        let cw = parameters.gridStep * 4
        let nx = max(1, (w + cw - 1) / cw), ny = max(1, (h + cw - 1) / cw)
        guard nx != cellsX || ny != cellsY else { return }
        cellsX = nx; cellsY = ny
        cellSpeed = [Double](repeating: 0, count: nx * ny)
        cellDirX = cellSpeed; cellDirY = cellSpeed; cellCount = cellSpeed; cellFrames = cellSpeed; cellEvidence = cellSpeed
        cellHeadings = [HeadingShares](repeating: HeadingShares(), count: nx * ny)
        frameX = cellSpeed; frameY = cellSpeed; frameN = cellSpeed; frameWeight = cellSpeed
    }

    /// Exponential averages per cell; the first observations average plainly (fast warm-up). Speeds
    /// learn from every point.
    private func learn(_ observations: [(cell: Int, vx: Double, vy: Double, speed: Double, persons: Double)], dt: Double) {
        let horizon = max(parameters.learningSeconds / dt, 1)
        var touched: [Int] = []
        for o in observations where o.speed >= parameters.movingSpeed {
            cellCount[o.cell] += 1
            let a = 1 / min(cellCount[o.cell], horizon)
            cellSpeed[o.cell] += (o.speed - cellSpeed[o.cell]) * a
            if frameN[o.cell] == 0 { touched.append(o.cell) }
            frameN[o.cell] += 1
            frameX[o.cell] += o.vx / o.speed
            frameY[o.cell] += o.vy / o.speed
        }
        // Directions learn once a frame per cell, from the mean of its points: a busy cell's
        // 16 points a frame would otherwise make its memory seconds instead of `learningSeconds`,
        // and the last few passers-by its direction. Each point then weighs a/n in the shares.
        for c in touched {
            cellEvidence[c] += dt
            cellFrames[c] += 1
            let a = 1 / min(cellFrames[c], horizon), n = frameN[c]
            cellDirX[c] += (frameX[c] / n - cellDirX[c]) * a
            cellDirY[c] += (frameY[c] / n - cellDirY[c]) * a
            cellHeadings[c].fade(by: a)
            frameWeight[c] = a / n
        }
        for o in observations where o.speed >= parameters.movingSpeed {
            cellHeadings[o.cell].learn(vx: o.vx, vy: o.vy, weight: frameWeight[o.cell])
        }
        for c in touched { frameX[c] = 0; frameY[c] = 0; frameN[c] = 0 }
    }

    /// A lasting change of the whole view (moved, covered, defocused) is reported once, and the
    /// background is learned again so that detection resumes on the new view.
    private func checkTamper(dt: Double, frame: AnalysisFrame) -> Detection? {
        let energy = scene.edgeEnergy
        let learned = learnedEdgeEnergy ?? energy
        let covered = learned > 1 && energy < parameters.tamperEdgeRatio * learned
        let moved = scene.background.isWarm && scene.background.foregroundFraction >= parameters.tamperForeground
        if covered || moved {
            tamperFor += dt
            if tamperFor >= parameters.tamperSeconds {
                tamperFor = 0
                scene.relearnBackground()
                learnedEdgeEnergy = energy
                resetEpisodes()
                ensureCells(w: 0, h: 0)
                return Detection(type: .cameraTampered, subtype: covered ? .covered : .moved, zone: "all", score: 1,
                                 measurements: ["edgeEnergy": energy, "learnedEdgeEnergy": learned,
                                                "changedShare": scene.background.foregroundFraction])
            }
        } else {
            tamperFor = 0
            learnedEdgeEnergy = learned + (energy - learned) * min(1, dt / 60)
        }
        return nil
    }

    /// Intrusion into forbidden zones (within their schedule) and loitering in watched ones, from
    /// the perspective-weighted foreground in each zone.
    private func zoneChecks(frame: AnalysisFrame, dt: Double, sx: Double, sy: Double) -> [Detection] {
        guard !masks.isEmpty, sceneAge >= parameters.warmupSeconds else { return [] }
        let features = CrowdFeatures.measure(scene, masks: masks)
        var out: [Detection] = []
        for (mask, f) in zip(masks, features) {
            let zone = mask.zone
            // foreground is Σ area/h²; a person is about 0.3 of that unit.
            let persons = f.foreground / 0.3
            let present = persons >= parameters.presencePersons
            if zone.kind == .forbidden {
                let active = zone.schedule?.contains(frame.time) ?? true
                intrusionFor[zone.id] = (present && active) ? (intrusionFor[zone.id] ?? 0) + dt : 0
                if (intrusionFor[zone.id] ?? 0) >= parameters.intrusionSeconds {
                    out.append(Detection(type: .motionAnomaly, subtype: .intrusion, zone: zone.id, score: min(1, persons),
                                         measurements: ["persons": persons]))
                }
            }
            if let limit = zone.loiterSeconds {
                var p = zonePresence[zone.id]
                if present {
                    if p == nil || clock - p!.lastSeen > parameters.presenceGapSeconds { p = (clock, clock, false) }
                    p!.lastSeen = clock
                    if !p!.reported && clock - p!.since >= limit {
                        p!.reported = true
                        out.append(Detection(type: .motionAnomaly, subtype: .loitering, zone: zone.id, score: 1,
                                             measurements: ["seconds": clock - p!.since, "persons": persons]))
                    }
                } else if let q = p, clock - q.lastSeen > parameters.presenceGapSeconds {
                    p = nil
                }
                zonePresence[zone.id] = p
            }
        }
        return out
    }

    private func resetEpisodes() {
        runningFor = 0
        counterFor = 0
        wasDispersing = false
        zonePresence = [:]
        intrusionFor = [:]
    }
}
