/// Points grouped by the grid cells they fall in, each cell joined to its eight neighbours: a group
/// is one place in the picture. The flow's counter-flow is decided on the largest group, so that
/// stray vectors in far-apart places (different people, each a little against the flow) do not add
/// up to one person walking back, and the event's box is around that place, not the whole picture.
public enum CellGroups {
    public struct Point: Sendable, Equatable {
        public var cell: Int
        public var x: Int
        public var y: Int
        public var persons: Double
        public init(cell: Int, x: Int, y: Int, persons: Double) {
            self.cell = cell
            self.x = x
            self.y = y
            self.persons = persons
        }
    }

    public struct Group: Sendable, Equatable {
        public var persons = 0.0
        public var minX = Int.max, minY = Int.max, maxX = Int.min, maxY = Int.min
        public var cells = 0
    }

    /// The group holding the most persons (nil without points). Cells are numbered row by row on a
    /// `cellsX` × `cellsY` grid; a point outside it is ignored.
    public static func largest(_ points: [Point], cellsX: Int, cellsY: Int) -> Group? {
        let count = cellsX * cellsY
        guard count > 0 else { return nil }
        var members: [Int: [Point]] = [:]
        for p in points where p.cell >= 0 && p.cell < count { members[p.cell, default: []].append(p) }
        var seen = Set<Int>()
        var best: Group?
        for start in members.keys where !seen.contains(start) {
            var group = Group()
            var stack = [start]
            seen.insert(start)
            while let cell = stack.popLast() {
                group.cells += 1
                for p in members[cell] ?? [] {
                    group.persons += p.persons
                    group.minX = min(group.minX, p.x); group.minY = min(group.minY, p.y)
                    group.maxX = max(group.maxX, p.x); group.maxY = max(group.maxY, p.y)
                }
                let cx = cell % cellsX, cy = cell / cellsX
                for ny in max(cy - 1, 0)...min(cy + 1, cellsY - 1) {
                    for nx in max(cx - 1, 0)...min(cx + 1, cellsX - 1) {
                        let n = ny * cellsX + nx
                        if members[n] != nil, seen.insert(n).inserted { stack.append(n) }
                    }
                }
            }
            if group.persons > best?.persons ?? -1 { best = group }
        }
        return best
    }
}
