/// A rectangle of a picture in its own pixels (origin top left): a crop or a tile. Shared by the
/// media layer, which cuts it out, and Perception, which plans it.
public struct PictureRect: Sendable, Equatable, CustomStringConvertible {
    public var x, y, width, height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)×\(height)+\(x)+\(y)" }
}
