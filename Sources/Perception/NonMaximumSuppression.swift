/// Greedy, class-aware non-maximum suppression: the best-scoring box of each class stays, and
/// every box of the same class overlapping a kept one by IoU ≥ `iou` goes.
public enum NonMaximumSuppression {
    public static func apply(_ detections: [Detection], iou: Double) -> [Detection] {
        var kept: [Detection] = []
        for candidate in detections.sorted(by: { $0.score > $1.score }) {
            let suppressed = kept.contains { $0.classIndex == candidate.classIndex && $0.box.iou(candidate.box) >= iou }
            if !suppressed { kept.append(candidate) }
        }
        return kept
    }
}
