/// The 80 COCO object classes, in the order COCO-trained detectors (YOLOX) number them.
public enum COCOClass {
    public static let names = [
        "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
        "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
        "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
        "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
        "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
        "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
        "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
        "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors", "teddy bear",
        "hair drier", "toothbrush",
    ]

    public static let person = 0
    public static let bicycle = 1
    public static let car = 2
    public static let motorcycle = 3
    public static let bus = 5
    public static let truck = 7

    /// People and the vehicles a street camera cares about.
    public static let street: Set<Int> = [person, bicycle, car, motorcycle, bus, truck]
    /// The vehicles of `street`.
    public static let vehicles: Set<Int> = street.subtracting([person])
}

/// One object found in a picture.
public struct Detection: Sendable, Equatable {
    /// COCO class number (`COCOClass.names`).
    public let classIndex: Int
    public let score: Float
    /// In normalised coordinates of the whole picture (0…1, origin top left), or in pixels while a
    /// detector is still working on it.
    public let box: Box

    public init(classIndex: Int, score: Float, box: Box) {
        self.classIndex = classIndex
        self.score = score
        self.box = box
    }

    public var className: String { COCOClass.names.indices.contains(classIndex) ? COCOClass.names[classIndex] : "class \(classIndex)" }
}
