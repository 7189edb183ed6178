/// People per cell over a picture: what the crowd-density model says, one value for each stride-8
/// cell of its input. The cells cover `coverWidth`×`coverHeight` of 0…1 picture coordinates (the
/// input was padded at the right and bottom to a multiple of 32, so the grid may reach past 1).
public struct DensityMap: Sendable, Equatable {
    public let columns: Int
    public let rows: Int
    /// People in each cell, row by row.
    public let values: [Float]
    /// One cell's size in 0…1 coordinates of the picture.
    public let cellWidth: Double
    public let cellHeight: Double

    public init(columns: Int, rows: Int, values: [Float], cellWidth: Double, cellHeight: Double) {
        precondition(values.count == columns * rows, "\(values.count) values for \(columns)×\(rows) cells")
        self.columns = columns
        self.rows = rows
        self.values = values
        self.cellWidth = cellWidth
        self.cellHeight = cellHeight
    }

    /// Everyone in the picture.
    public var total: Double { values.reduce(0) { $0 + Double($1) } }

    /// People in the cells whose centre lies inside `polygon` (vertices in 0…1 picture coordinates).
    public func count(inside polygon: [(x: Double, y: Double)]) -> Double {
        guard polygon.count >= 3 else { return 0 }
        var sum = 0.0
        for row in 0..<rows {
            let y = (Double(row) + 0.5) * cellHeight
            for column in 0..<columns where values[row * columns + column] > 0 {
                if PolygonTest.contains(polygon, x: (Double(column) + 0.5) * cellWidth, y: y) {
                    sum += Double(values[row * columns + column])
                }
            }
        }
        return sum
    }

    /// People inside a box (0…1 coordinates), by cell centre.
    public func count(inside box: Box) -> Double {
        count(inside: [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)])
    }
}

/// Point in polygon by the even-odd rule (a point on an edge may fall either way).
public enum PolygonTest {
    public static func contains(_ polygon: [(x: Double, y: Double)], x: Double, y: Double) -> Bool {
        var inside = false
        var j = polygon.count - 1
        for i in 0..<polygon.count {
            let a = polygon[i], b = polygon[j]
            if (a.y > y) != (b.y > y), x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
            j = i
        }
        return inside
    }
}
