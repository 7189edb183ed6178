import Inference
import Vocabulary

/// Follows one person's pose from frame to frame, as MediaPipe does: the pose found in a frame
/// says where to look in the next. When nobody is followed it looks again, with the detector's
/// largest person and where the person was last seen, each region tried as it is and turned left
/// and right (lying, the landmark model must see the body upright), keeping the best pose; someone who fell is most likely where they were last seen, and detectors trained
/// mostly on people standing often miss a person lying on the floor. Blocks for its inferences:
/// use it from one thread at a time, off the cooperative pool.
public final class PoseFollower {
    public struct Settings: Sendable, Equatable {
        /// Under this the landmark model says nobody is there: the person is looked for again.
        public var minPoseScore = 0.5
        /// A body whose hip-to-head scale is under this share of the picture's height is not
        /// followed: a home camera sees its resident from a few metres, and smaller ones are
        /// people far away or poses found on shadows.
        public var minScale = 0.12

        public init() {}
    }

    public let detector: ObjectDetector
    public let estimator: PoseEstimator
    public let settings: Settings
    private var region: PoseRegion?
    private var lastSeen: PoseRegion?
    /// Landmark and detector inferences so far (looking again takes up to seven).
    public private(set) var inferences = 0

    public init(detector: ObjectDetector, estimator: PoseEstimator, settings: Settings = Settings()) {
        self.detector = detector
        self.estimator = estimator
        self.settings = settings
    }

    /// Forgets the person (a new clip or stream).
    public func reset() {
        region = nil
        lastSeen = nil
    }

    /// The followed person's pose in this picture, or nil when nobody is found.
    public func follow(_ picture: some BGRPixelSource) throws(InferenceError) -> Pose? {
        // The picture's pixels once, for every region looked at in it.
        let (width, height) = (picture.width, picture.height)
        guard width > 0, height > 0, let bgr = picture.bgrPixels(width: width, height: height, crop: PictureRect(x: 0, y: 0, width: width, height: height)) else {
            throw .badInput("the picture (\(width)×\(height)) gave no pixels")
        }
        let found: Pose
        if let region {
            found = try estimator.estimate(bgr: bgr, width: width, height: height, region: region).pose
            inferences += 1
        } else {
            // (region, its turns to try, how much an unturned pose counts): shown a person lying in a
            // region not turned, the model can answer with a confident pose squeezed across the
            // body (seen on GMDCSA24: 1.00 against 0.99 turned), so in a box wider than tall, most
            // likely a person lying, an upright pose must do clearly better than a turned one.
            var candidates: [(PoseRegion, [Double], Double)] = []
            let people = try detector.detect(picture).detections.filter { $0.classIndex == COCOClass.person }
            inferences += 1
            if let best = people.max(by: { $0.box.area < $1.box.area }) {
                let (w, h) = (Double(picture.width), Double(picture.height))
                let box = Box(x0: best.box.x0 * w, y0: best.box.y0 * h, x1: best.box.x1 * w, y1: best.box.y1 * h)
                candidates.append((PoseRegion.around(box), [0, Double.pi / 2, -Double.pi / 2], box.width > box.height ? 0.9 : 1))
            }
            if let lastSeen { candidates.append((lastSeen, [0, Double.pi / 2, -Double.pi / 2], 1)) }
            var best: (pose: Pose, quality: Double)?
            for (candidate, turns, unturned) in candidates {
                for turn in turns {
                    var r = candidate
                    r.rotation = PoseRegion.normalised(candidate.rotation + turn)
                    let pose = try estimator.estimate(bgr: bgr, width: width, height: height, region: r).pose
                    inferences += 1
                    let quality = pose.score * (turn == 0 ? unturned : 1)
                    if quality > best?.quality ?? -1 { best = (pose, quality) }
                }
            }
            guard let best else { return nil }
            found = best.pose
        }
        guard found.score >= settings.minPoseScore, found.scale >= settings.minScale * Double(height) else {
            region = nil
            return nil
        }
        region = found.next
        lastSeen = found.next
        return found
    }
}
