import Media
import Perception
import Vocabulary

/// Perception reads a decoded picture's pixels through its own protocol, so it never sees Media.
extension DecodedPicture: BGRPixelSource {
    public func bgrPixels(width: Int, height: Int, crop: PictureRect) -> [UInt8]? {
        let whole = crop == PictureRect(x: 0, y: 0, width: self.width, height: self.height)
        return pixels(.bgr, width: width, height: height, crop: whole ? nil : crop)
    }
}
