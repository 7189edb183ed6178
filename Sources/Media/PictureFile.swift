import CFFmpeg
import Foundation

/// One picture read from a file: a still image (JPEG, PNG, … through libavformat's image2 demuxer)
/// or a chosen frame of a video. Blocking file I/O and decoding: call it off the cooperative pool.
public enum PictureFile {
    /// Frame `frame` (0 is the first) of the file at `path`; a still image has only frame 0.
    public static func read(_ path: String, frame index: Int = 0) throws(MediaError) -> DecodedPicture {
        guard index >= 0 else { throw .other(url: path, phase: "choosing a frame", reason: "frame \(index) is negative") }
        guard FileManager.default.isReadableFile(atPath: path) else { throw .notFound(url: path, reason: "no readable file there") }
        let url = StreamURL(path)
        let demuxer = try Demuxer(url: url, options: OpenOptions(), deadline: Deadline(), codecs: Demuxer.cameraCodecs.union(Demuxer.stillCodecs))
        let decoder = try VideoDecoder(demuxer: demuxer, threads: 1, skipNonReference: false)
        guard let owned = OwnedPacket() else { throw .other(url: path, phase: "allocating", reason: "out of memory") }
        var decoded = 0
        var picture: DecodedPicture?
        let take: (UnsafeMutablePointer<AVFrame>) throws(MediaError) -> Void = { frame in
            if decoded == index { picture = DecodedPicture(referencing: frame) }
            decoded += 1
        }
        while picture == nil, try demuxer.read(into: owned.pointer) {
            try decoder.decode(owned.pointer, take)
            av_packet_unref(owned.pointer)
        }
        if picture == nil { try decoder.decode(nil, take) }
        guard let picture else {
            throw decoded == 0 ? .invalidData(url: path, reason: "no picture could be decoded")
                : .other(url: path, phase: "reading frame \(index)", reason: "the file has only \(decoded) frame(s)")
        }
        return picture
    }
}
