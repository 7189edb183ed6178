import Falls
import Foundation
import Media
import Vision

/// What a fall evaluation runs on the frames it samples: a person's posture, handed in so that
/// Evaluation knows no model. A class: it follows the person from frame to frame.
public protocol FallAnalyser: AnyObject {
    /// A new clip: nobody followed before continues into it.
    func beginClip() throws
    /// The person's posture in this frame, or nil when nobody is found.
    func posture(_ frame: AnalysisFrame, picture: DecodedPicture?) throws -> PostureSample?
}

/// How a fall detector did on a fall benchmark: a fall clip is detected when an alarm comes at or
/// after the labelled onset, missed when none does; any alarm on a daily-activity clip, or before
/// a fall's onset, is a false alarm.
public struct FallReport: Sendable, Codable {
    public struct ClipResult: Sendable, Codable {
        public var clip: String
        public var subject: String
        public var label: String
        public var fallStartSeconds: Double?
        /// Seconds into the clip of the first alarm, and why it was raised.
        public var alarmSeconds: Double?
        public var cause: String?
        /// Seconds into the clip when, by the alarm, the fall put the body down
        /// (`FallWatch.Alarm.downSince`): the alarm's latency after landing is `alarmSeconds` minus it.
        public var downSeconds: Double?
        /// Alarm time minus the labelled onset (detected falls).
        public var delaySeconds: Double?
        /// When the body came to rest, where a landing label was given, and the alarm's time after it.
        public var landedSeconds: Double?
        public var afterLandingSeconds: Double?
        public var outcome: String
        /// The decision's settings for this clip (leave-one-subject-out: chosen without its subject).
        public var settings: String
    }

    public var clips: Int
    public var detected: Int
    public var missed: Int
    public var falseAlarms: Int
    public var delaysSeconds: [Double]
    public var perClip: [ClipResult]
    /// "fixed" (the given settings on every clip) or "leave-one-subject-out".
    public var protocolName: String
    /// Frames looked at (sampled at `rate`), and the analyser's time per such frame.
    public var framesAnalysed: Int
    public var msPerFrame: Double
    public var rate: Double

    /// The report with each detected fall's alarm timed from its landing (`FallDataset.landings`).
    public func landed(_ landings: [String: Double]) -> FallReport {
        var report = self
        for i in report.perClip.indices {
            guard let landed = landings[report.perClip[i].clip] else { continue }
            report.perClip[i].landedSeconds = landed
            if report.perClip[i].outcome == "detected", let at = report.perClip[i].alarmSeconds {
                report.perClip[i].afterLandingSeconds = ((at - landed) * 100).rounded() / 100
            }
        }
        return report
    }
}

/// The posture series of every clip of a fall dataset, and the fall decision scored on them.
public struct FallEvaluator: Sendable {
    public typealias Series = [(time: Double, sample: PostureSample?)]
    public let dataset: FallDataset
    /// Frames a second looked at (the worker's analysis rate for home cameras).
    public var rate = 5.0
    public var analysisWidth = 384
    public var progress: (@Sendable (Int, Int) -> Void)?

    public init(dataset: FallDataset) { self.dataset = dataset }

    /// Runs the analyser over every clip (the expensive part: the models), frames sampled at
    /// `rate` by their timestamps. Returns each clip's series (by clip name) and the analyser's
    /// milliseconds per sampled frame.
    public func postures(_ analyser: FallAnalyser) throws(EvaluationError) -> (series: [String: Series], frames: Int, msPerFrame: Double) {
        var all: [String: Series] = [:]
        var seconds = 0.0, frames = 0
        let clock = ContinuousClock()
        for (i, clip) in dataset.clips.enumerated() {
            do { try analyser.beginClip() } catch { throw .video("\(clip.path): \(error)") }
            var series: Series = [], next = -Double.infinity, failure: String?
            try VideoFrames.forEach(clip.path, width: analysisWidth) { index, frame, picture in
                guard failure == nil, frame.streamTime >= next else { return }
                next = max(next + 1 / rate, frame.streamTime - 0.5 / rate)
                do {
                    let t0 = clock.now
                    let sample = try analyser.posture(frame, picture: picture)
                    seconds += t0.duration(to: clock.now).inSeconds
                    frames += 1
                    series.append((frame.streamTime, sample))
                } catch { failure = "\(clip.path) frame \(index): \(error)" }
            }
            if let failure { throw .video(failure) }
            all[clip.name] = series
            progress?(i + 1, dataset.clips.count)
        }
        return (all, frames, seconds * 1000 / Double(max(1, frames)))
    }

    /// One clip's first alarm under `settings`.
    public static func alarm(on series: Series, settings: FallWatch.Settings) -> FallWatch.Alarm? {
        var watch = FallWatch(settings: settings)
        for (t, sample) in series {
            if let alarm = watch.observe(sample, at: t) { return alarm }
        }
        return nil
    }

    static func result(_ clip: FallDataset.Clip, _ series: Series, _ settings: FallWatch.Settings, start: Double) -> FallReport.ClipResult {
        let alarm = alarm(on: series, settings: settings)
        let at = alarm.map { $0.time - start }
        var outcome = "quiet", delay: Double?
        if clip.isFall, let at, let onset = clip.fallStart, at >= onset {
            outcome = "detected"; delay = at - onset
        } else if at != nil {
            outcome = "false alarm"
        } else if clip.isFall {
            outcome = "missed"
        }
        return .init(clip: clip.name, subject: clip.subject, label: clip.isFall ? "fall" : "adl", fallStartSeconds: clip.fallStart,
                     alarmSeconds: at.map { ($0 * 100).rounded() / 100 }, cause: alarm?.cause.rawValue,
                     downSeconds: alarm.map { (($0.downSince - start) * 100).rounded() / 100 },
                     delaySeconds: delay.map { ($0 * 100).rounded() / 100 }, outcome: outcome, settings: settings.description)
    }

    /// The decision scored on the series, with `settings(clip)` for each clip.
    public func score(_ series: [String: Series], settings: (FallDataset.Clip) -> FallWatch.Settings, protocolName: String,
                      frames: Int, msPerFrame: Double) -> FallReport {
        let results = dataset.clips.map { clip in
            let s = series[clip.name] ?? []
            return Self.result(clip, s, settings(clip), start: s.first?.time ?? 0)
        }
        return FallReport(clips: results.count, detected: results.filter { $0.outcome == "detected" }.count,
                          missed: results.filter { $0.outcome == "missed" }.count,
                          falseAlarms: results.filter { $0.outcome == "false alarm" }.count,
                          delaysSeconds: results.compactMap(\.delaySeconds), perClip: results, protocolName: protocolName,
                          framesAnalysed: frames, msPerFrame: msPerFrame, rate: rate)
    }

    /// The settings a leave-one-subject-out run chooses among: the lean that counts as down, the
    /// hip drop, the time down before the alarm.
    public static let grid: [FallWatch.Settings] = {
        var grid: [FallWatch.Settings] = []
        for lean in [45.0, 55, 60, 65] {
            for drop in [0.2, 0.3, 0.4, 0.5] {
                for confirm in [0.2, 0.5] {
                    var s = FallWatch.Settings()
                    s.lyingLean = lean; s.drop = drop; s.confirm = confirm
                    grid.append(s)
                }
            }
        }
        return grid
    }()

    /// For each subject, the settings of `grid` that do best on the other subjects' clips (most
    /// falls detected less two per false alarm, then the shortest mean delay, then the earliest in
    /// the grid), scored on that subject's clips.
    public func leaveOneSubjectOut(_ series: [String: Series], grid: [FallWatch.Settings] = Self.grid, frames: Int, msPerFrame: Double) -> FallReport {
        var chosen: [String: FallWatch.Settings] = [:]
        for subject in dataset.subjects {
            let others = dataset.clips.filter { $0.subject != subject }
            func merit(_ s: FallWatch.Settings) -> (Int, Double) {
                let results = others.map { Self.result($0, series[$0.name] ?? [], s, start: series[$0.name]?.first?.time ?? 0) }
                let delays = results.compactMap(\.delaySeconds)
                return (results.filter { $0.outcome == "detected" }.count - 2 * results.filter { $0.outcome == "false alarm" }.count,
                        delays.isEmpty ? .infinity : delays.reduce(0, +) / Double(delays.count))
            }
            var best = grid[0], bestMerit = merit(grid[0])
            for s in grid.dropFirst() {
                let m = merit(s)
                if m.0 > bestMerit.0 || (m.0 == bestMerit.0 && m.1 < bestMerit.1) { best = s; bestMerit = m }
            }
            chosen[subject] = best
        }
        return score(series, settings: { chosen[$0.subject]! }, protocolName: "leave-one-subject-out", frames: frames, msPerFrame: msPerFrame)
    }
}

extension EvaluationReport {
    /// A fall dataset's report: `fps` frames looked at per second of wall time.
    public static func falls(_ falls: FallReport, dataset: String, fps: Double) -> EvaluationReport {
        var report = EvaluationReport(dataset: dataset, crowd: nil, anomaly: nil, fps: fps, detectorMsPerFrame: falls.msPerFrame,
                                      analysisSize: "full picture")
        report.falls = falls
        return report
    }
}
