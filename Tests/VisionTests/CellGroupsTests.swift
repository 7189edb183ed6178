import Testing
import Vision

/// Grouping points by neighbouring grid cells: what the flow's counter-flow decides on.
@Suite struct CellGroupsTests {
    static func point(_ cx: Int, _ cy: Int, persons: Double, cellsX: Int = 12) -> CellGroups.Point {
        CellGroups.Point(cell: cy * cellsX + cx, x: cx * 32 + 8, y: cy * 32 + 8, persons: persons)
    }

    @Test func farApartPlacesDoNotAddUp() throws {
        // Three people a little against the flow in three corners: 0.9 persons over the picture,
        // at most 0.4 in one place.
        let points = [Self.point(0, 0, persons: 0.3), Self.point(11, 0, persons: 0.2), Self.point(11, 1, persons: 0.2),
                      Self.point(5, 6, persons: 0.2)]
        let group = try #require(CellGroups.largest(points, cellsX: 12, cellsY: 7))
        #expect(abs(group.persons - 0.4) < 1e-9 && group.cells == 2)
        #expect(group.minX == 11 * 32 + 8 && group.maxX == 11 * 32 + 8 && group.minY == 8 && group.maxY == 40)
    }

    @Test func neighboursDiagonalToo() throws {
        // One person across a cell corner, and a second point in one of his cells.
        let points = [Self.point(3, 3, persons: 0.2), Self.point(4, 4, persons: 0.2), Self.point(4, 4, persons: 0.1),
                      Self.point(6, 4, persons: 0.3)]
        let group = try #require(CellGroups.largest(points, cellsX: 12, cellsY: 7))
        #expect(abs(group.persons - 0.5) < 1e-9 && group.cells == 2)
        #expect(group.minX == 3 * 32 + 8 && group.maxX == 4 * 32 + 8)
    }

    @Test func nothingOrOffTheGrid() {
        #expect(CellGroups.largest([], cellsX: 12, cellsY: 7) == nil)
        #expect(CellGroups.largest([CellGroups.Point(cell: 84, x: 0, y: 0, persons: 1)], cellsX: 12, cellsY: 7) == nil)
        #expect(CellGroups.largest([Self.point(1, 1, persons: 1)], cellsX: 0, cellsY: 0) == nil)
    }

    @Test func aRowEndDoesNotJoinTheNextRowsStart() throws {
        // Cells 11 (row 0, last column) and 12 (row 1, first column) are numbered next to each
        // other but lie at the picture's two sides.
        let points = [CellGroups.Point(cell: 11, x: 360, y: 8, persons: 0.3), CellGroups.Point(cell: 12, x: 8, y: 40, persons: 0.3)]
        let group = try #require(CellGroups.largest(points, cellsX: 12, cellsY: 7))
        #expect(group.cells == 1 && abs(group.persons - 0.3) < 1e-9)
    }
}
