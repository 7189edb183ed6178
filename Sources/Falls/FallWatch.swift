/// A fall, decided on a person's posture over time: the hips drop by `drop` of the body's scale
/// within `window` seconds and the body stays down for `confirm` seconds, down meaning leaning
/// past `lyingLean` from upright, or the hips `lowDrop` below where they were (a fall towards or
/// away from the camera hardly leans in the picture). The drop is what tells a fall from bending
/// over to pick something up (the hips stay where they were); the lean or the depth of the drop
/// is what tells it from sitting down (the hips come down about 0.4 of the scale onto a chair).
/// The scale is the body's as it was at its highest in the window, upright: once down it is
/// foreshortened. A fall onto a bed or a sofa hardly drops the hips: there the body tips from
/// upright (under `uprightLean`) to lying within `tipSeconds` and stays lying `tipConfirm`
/// seconds (lying down on purpose takes longer; bending over to pick something up does not
/// stay). A person found already down, never seen upright (the camera starts, or the fall happened out of
/// view) raises it after `foundDown` seconds lying. One alarm per time down: the person must be
/// up again for `upAgain` seconds before another. Hips that move more than `jump` body scales
/// from one sample to the next are another person (the follower went from one to another in a
/// room with several): what was seen before is forgotten. A drop or a tip must stay in sight
/// until it is confirmed: missed by two looks in a row, it is forgotten (a walker whose pose came
/// out flat for a moment and was then lost in a crowd is not a person on the floor; a fallen
/// person stays where the follower looks for them). Only the time found down survives such gaps,
/// since a person lying in a dim room is found only now and then.
public struct FallWatch: Sendable {
    public struct Settings: Sendable, Equatable, CustomStringConvertible {
        public var lyingLean = 60.0
        public var drop = 0.4
        public var lowDrop = 0.6
        public var window = 3.0
        public var confirm = 0.5
        public var foundDown = 10.0
        public var upAgain = 2.0
        public var uprightLean = 30.0
        public var tipSeconds = 1.0
        public var tipConfirm = 2.0
        public var jump = 1.5

        public init() {}

        /// `lean=60,drop=0.4,confirm=0.5` (any of lean, drop, lowDrop, confirm, window, tip,
        /// tipConfirm, foundDown), over the defaults.
        public init(parsing text: String) throws(SettingsError) {
            self.init()
            for item in text.split(separator: ",") {
                let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, let value = Double(pair[1]), value >= 0 else {
                    throw SettingsError(message: "'\(item)' is not NAME=NUMBER (a number ≥ 0)")
                }
                switch pair[0] {
                case "lean": lyingLean = value
                case "drop": drop = value
                case "lowDrop": lowDrop = value
                case "confirm": confirm = value
                case "window": window = value
                case "tip": tipSeconds = value
                case "tipConfirm": tipConfirm = value
                case "foundDown": foundDown = value
                default: throw SettingsError(message: "no setting '\(pair[0])' (lean, drop, lowDrop, confirm, window, tip, tipConfirm, foundDown)")
                }
            }
            guard lyingLean <= 180, window > 0 else { throw SettingsError(message: "lean must be at most 180 degrees and window more than 0 s") }
        }

        public var description: String {
            "hips down ≥ \(drop) of the body within \(window) s, then lean ≥ \(Int(lyingLean))° or hips down ≥ \(lowDrop), for \(confirm) s; or tipped over in \(tipSeconds) s and lying \(tipConfirm) s"
        }
    }

    public struct SettingsError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public enum Cause: String, Sendable { case fell, tipped, foundDown = "found_down" }

    public struct Alarm: Sendable, Equatable {
        public var time: Double
        public var cause: Cause
        /// When this fall put the body down: for `fell` the first look down with the hips dropped,
        /// for `tipped` the first look lying after the tip, for `foundDown` the first look down. Not
        /// simply the first look down: a person asleep on a bed who falls to the floor was "down" on
        /// the bed, and the alarm and the post-fall inactivity count from the floor.
        public var downSince: Double
    }

    public let settings: Settings
    private var recent: [PostureSample] = []
    private var downSince: Double?
    private var droppedSince: Double?
    private var upSince: Double?
    private var lyingSince: Double?
    private var lastUpright: Double?
    /// Looks in a row that found nobody.
    private var missed = 0
    /// Whether a fall was raised and the person has not been up again since (`upAgain` seconds).
    public private(set) var alarmed = false

    public init(settings: Settings = Settings()) { self.settings = settings }

    /// The posture at one instant, or nil when nobody was found then; an alarm the first time a
    /// fall is decided.
    public mutating func observe(_ sample: PostureSample?, at time: Double) -> Alarm? {
        recent.removeAll { $0.time < time - settings.window }
        guard let sample else {
            // Out of view: nothing is decided; a drop or a tip not yet confirmed is forgotten once
            // missed twice in a row.
            missed += 1
            if missed >= 2, !alarmed { droppedSince = nil; lyingSince = nil }
            return nil
        }
        missed = 0
        if let last = recent.last, last.scale > 0,
           ((sample.hipX - last.hipX) * (sample.hipX - last.hipX) + (sample.hipY - last.hipY) * (sample.hipY - last.hipY)).squareRoot() > settings.jump * last.scale {
            reset()
        }
        recent.append(sample)
        // How far the hips came down from their highest in the window, in the body's scale there.
        let highest = recent.min { $0.hipY < $1.hipY }!
        let dropped = highest.scale > 0 ? (sample.hipY - highest.hipY) / highest.scale : 0
        let lying = sample.lean >= settings.lyingLean
        if sample.lean < settings.uprightLean { lastUpright = time }
        if lying { if lyingSince == nil { lyingSince = time } } else { lyingSince = nil }
        let down = lying || dropped >= settings.lowDrop
        if down {
            upSince = nil
            if downSince == nil { downSince = time }
        } else {
            downSince = nil
            droppedSince = nil
            if upSince == nil { upSince = time }
            if alarmed, time - upSince! >= settings.upAgain { alarmed = false }
            return nil
        }
        if droppedSince == nil, dropped >= settings.drop { droppedSince = time }
        guard !alarmed, let downSince else { return nil }
        if let dropped = droppedSince, time - max(dropped, downSince) >= settings.confirm {
            alarmed = true
            return Alarm(time: time, cause: .fell, downSince: max(dropped, downSince))
        }
        if let lyingSince, let lastUpright, lyingSince - lastUpright <= settings.tipSeconds, time - lyingSince >= settings.tipConfirm {
            alarmed = true
            return Alarm(time: time, cause: .tipped, downSince: max(lyingSince, downSince))
        }
        if lying, lastUpright == nil, time - downSince >= settings.foundDown {
            alarmed = true
            return Alarm(time: time, cause: .foundDown, downSince: downSince)
        }
        return nil
    }

    public mutating func reset() {
        recent.removeAll()
        downSince = nil
        droppedSince = nil
        upSince = nil
        lyingSince = nil
        lastUpright = nil
        missed = 0
        alarmed = false
    }
}
