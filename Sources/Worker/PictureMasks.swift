import Perception
import Vision

/// Masked zones (`kind: masked`) out of a picture Retina keeps: the zones are in the pixels of the
/// analysed stream's picture (`source`), rasterised at this picture's size by `ZoneMask` (the same
/// even–odd rule the detectors' zones use) and blacked out.
enum PictureMasks {
    static func blacken(_ zones: [Zone], source: (width: Int, height: Int), in bgr: inout [UInt8], width: Int, height: Int) {
        for zone in zones {
            let mask = ZoneMask(zone: zone, sourceWidth: source.width, sourceHeight: source.height, width: width, height: height)
            PrivatePicture.blacken(mask.inside, in: &bgr, width: width, height: height)
        }
    }
}
