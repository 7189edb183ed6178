import CFFmpeg
import Foundation

/// Pictures read from a file: a still image (JPEG, PNG, … through libavformat's image2 demuxer)
/// or chosen frames of a video. Blocking file I/O and decoding: call it off the cooperative pool.
public enum PictureFile {
    /// Frame `frame` (0 is the first) of the file at `path`; a still image has only frame 0.
    public static func read(_ path: String, frame index: Int = 0) throws(MediaError) -> DecodedPicture {
        guard index >= 0 else { throw .other(url: path, phase: "choosing a frame", reason: "frame \(index) is negative") }
        var picture: DecodedPicture?
        let decoded = try decode(path, wanted: { $0 == index }) { _, _, p in picture = p; return false }
        guard let picture else {
            throw decoded == 0 ? .invalidData(url: path, reason: "no picture could be decoded")
                : .other(url: path, phase: "reading frame \(index)", reason: "the file has only \(decoded) frame(s)")
        }
        return picture
    }

    /// Frames 0, `every`, 2 × `every`, … (at most `limit` of them) in one pass over the file: a video
    /// is decoded once, not once a frame. `body` gets each one's index, its time in seconds (the
    /// stream's timestamps; frames counted at 25 a second where it has none) and the picture.
    /// Returns how many were handed to `body`.
    @discardableResult
    public static func forEach(_ path: String, every: Int, limit: Int, _ body: (Int, Double, DecodedPicture) -> Void) throws(MediaError) -> Int {
        guard every > 0, limit > 0 else { throw .other(url: path, phase: "choosing frames", reason: "every \(every) and limit \(limit) must be positive") }
        var handed = 0
        let decoded = try decode(path, wanted: { $0 % every == 0 }) { index, time, picture in
            body(index, time, picture)
            handed += 1
            return handed < limit
        }
        if decoded == 0 { throw .invalidData(url: path, reason: "no picture could be decoded") }
        return handed
    }

    /// Decodes `path` in order, handing each frame `wanted` picks to `take` until it returns false
    /// or the file ends. Returns the number of frames decoded.
    private static func decode(_ path: String, wanted: (Int) -> Bool, _ take: (Int, Double, DecodedPicture) -> Bool) throws(MediaError) -> Int {
        guard FileManager.default.isReadableFile(atPath: path) else { throw .notFound(url: path, reason: "no readable file there") }
        let demuxer = try Demuxer(url: StreamURL(path), options: OpenOptions(), deadline: Deadline(), codecs: Demuxer.cameraCodecs.union(Demuxer.stillCodecs))
        let decoder = try VideoDecoder(demuxer: demuxer, threads: 1, skipNonReference: false)
        guard let owned = OwnedPacket() else { throw .other(url: path, phase: "allocating", reason: "out of memory") }
        var decoded = 0, more = true
        let timeBase = demuxer.context.pointee.streams[Int(demuxer.videoIndex)]!.pointee.time_base
        let onFrame: (UnsafeMutablePointer<AVFrame>) throws(MediaError) -> Void = { frame in
            defer { decoded += 1 }
            guard more, wanted(decoded), let picture = DecodedPicture(referencing: frame) else { return }
            let pts = frame.pointee.best_effort_timestamp
            let time = pts == Int64.min || timeBase.den == 0 ? Double(decoded) / 25 : Double(pts) * Double(timeBase.num) / Double(timeBase.den)
            more = take(decoded, time, picture)
        }
        while more, try demuxer.read(into: owned.pointer) {
            try decoder.decode(owned.pointer, onFrame)
            av_packet_unref(owned.pointer)
        }
        if more { try decoder.decode(nil, onFrame) }
        return decoded
    }
}
