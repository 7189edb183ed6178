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
}
