/// The assignment of rows to columns of least total cost (Hungarian method, Jonker–Volgenant style
/// shortest augmenting paths, O(n³)); pairs whose cost is above `maxCost` are left unassigned.
/// Tracks × detections are tens at most: cubic is nothing.
public enum Assignment {
    /// `(row, column)` pairs; `cost[r][c]`, every row the same length.
    public static func solve(_ cost: [[Double]], maxCost: Double) -> [(row: Int, column: Int)] {
        let rows = cost.count, columns = cost.first?.count ?? 0
        guard rows > 0, columns > 0 else { return [] }
        // Square it: padding costs `maxCost` + 1 (never preferred to a real pair under `maxCost`).
        let n = max(rows, columns)
        let big = maxCost + 1
        func c(_ i: Int, _ j: Int) -> Double { i < rows && j < columns ? min(cost[i][j], big) : big }
        var u = [Double](repeating: 0, count: n + 1), v = [Double](repeating: 0, count: n + 1)
        var p = [Int](repeating: 0, count: n + 1), way = [Int](repeating: 0, count: n + 1)
        for i in 1...n {
            p[0] = i
            var j0 = 0
            var minv = [Double](repeating: .infinity, count: n + 1)
            var used = [Bool](repeating: false, count: n + 1)
            repeat {
                used[j0] = true
                let i0 = p[j0]
                var delta = Double.infinity, j1 = 0
                for j in 1...n where !used[j] {
                    let cur = c(i0 - 1, j - 1) - u[i0] - v[j]
                    if cur < minv[j] { minv[j] = cur; way[j] = j0 }
                    if minv[j] < delta { delta = minv[j]; j1 = j }
                }
                for j in 0...n {
                    if used[j] { u[p[j]] += delta; v[j] -= delta } else { minv[j] -= delta }
                }
                j0 = j1
            } while p[j0] != 0
            repeat {
                let j1 = way[j0]
                p[j0] = p[j1]
                j0 = j1
            } while j0 != 0
        }
        var pairs: [(row: Int, column: Int)] = []
        for j in 1...n where p[j] > 0 {
            let (r, col) = (p[j] - 1, j - 1)
            if r < rows, col < columns, cost[r][col] <= maxCost { pairs.append((r, col)) }
        }
        return pairs.sorted { $0.row < $1.row }
    }
}
