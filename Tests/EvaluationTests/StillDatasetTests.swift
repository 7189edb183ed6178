import Evaluation
import Foundation
import Testing

/// A still dataset (images/ + counts.csv) is read as ShanghaiTech's folders are laid out, and bad
/// folders are refused with the file and the reason.
@Suite struct StillDatasetTests {
    func folder(counts: String, images: [String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stills-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/images", withIntermediateDirectories: true)
        for name in images { FileManager.default.createFile(atPath: "\(dir)/images/\(name)", contents: Data([0xFF, 0xD8])) }
        try counts.write(toFile: dir + "/counts.csv", atomically: true, encoding: .utf8)
        return dir
    }

    @Test func picturesAreReadInTheirListedOrderAfterTheHeader() throws {
        let dir = try folder(counts: "image,count\nIMG_2.jpg,153\nIMG_10.jpg,7\n\nIMG_1.jpg,234\n", images: ["IMG_1.jpg", "IMG_2.jpg", "IMG_10.jpg"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(StillDataset.isStill(dir))
        let d = try StillDataset.load(dir)
        #expect(d.pictures.map(\.name) == ["IMG_2.jpg", "IMG_10.jpg", "IMG_1.jpg"])
        #expect(d.pictures.map(\.count) == [153, 7, 234])
        #expect(d.pictures[0].path == dir + "/images/IMG_2.jpg")
        let held = try StillDataset.load(dir, only: ["IMG_1.jpg", "IMG_10.jpg"])
        #expect(held.pictures.map(\.name) == ["IMG_10.jpg", "IMG_1.jpg"])
    }

    @Test func aBadFolderSaysWhichFileAndWhy() throws {
        let missing = try folder(counts: "image,count\nIMG_1.jpg,3\nIMG_9.jpg,4\n", images: ["IMG_1.jpg"])
        defer { try? FileManager.default.removeItem(atPath: missing) }
        #expect { try StillDataset.load(missing) } throws: { "\($0)".contains("IMG_9.jpg, which is not in images/") }
        #expect { try StillDataset.load(missing, only: ["IMG_5.jpg"]) } throws: { "\($0)".contains("lists IMG_9.jpg") }
        let bad = try folder(counts: "image,count\nIMG_1.jpg,many\n", images: ["IMG_1.jpg"])
        defer { try? FileManager.default.removeItem(atPath: bad) }
        #expect { try StillDataset.load(bad) } throws: { "\($0)".contains("'IMG_1.jpg,many' is not 'image,count'") }
        let unknown = try folder(counts: "image,count\nIMG_1.jpg,2\n", images: ["IMG_1.jpg"])
        defer { try? FileManager.default.removeItem(atPath: unknown) }
        #expect { try StillDataset.load(unknown, only: ["IMG_7.jpg"]) } throws: { "\($0)".contains("has no image IMG_7.jpg") }
        let empty = try folder(counts: "image,count\n", images: [])
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect { try StillDataset.load(empty) } throws: { "\($0)".contains("lists no image") }
        #expect(!StillDataset.isStill(empty + "/images"))
    }
}
