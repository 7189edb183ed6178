import Foundation
import Testing

/// What each target may import (README, "How it is built"), read from the sources themselves so
/// that the layering cannot drift: detectors never see FFmpeg, SQL or HTTP; the queue never sees
/// the media layer or the detectors; the office never reaches into the worker.
@Suite struct ImportRulesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The modules a target's Swift files import (`import X`, `@_exported import X`, `import struct X.Y`).
    static func imports(of target: String) throws -> Set<String> {
        let folder = root.appendingPathComponent("Sources/\(target)")
        let files = try #require(FileManager.default.enumerator(atPath: folder.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty, "no Swift files in \(folder.path)")
        var modules: Set<String> = []
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") {
                var words = line.split(separator: " ").map(String.init)
                if words.first?.hasPrefix("@") == true { words.removeFirst() }
                guard words.first == "import", words.count >= 2 else { continue }
                let path = words.count >= 3 ? words[2] : words[1]
                modules.insert(String(path.split(separator: ".")[0]))
            }
        }
        return modules
    }

    static let hardware = ["CFFmpeg", "CSQLite", "Hummingbird", "PostgresNIO", "NIOSSL"]

    @Test func vocabularyImportsNothingButFoundation() throws {
        #expect(try Self.imports(of: "Vocabulary").subtracting(["Foundation"]).isEmpty)
        // Nor does the package give it anything to import.
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        #expect(manifest.contains(#".target(name: "Vocabulary"),"#))
    }

    @Test(arguments: [
        ("Vision", ["Media", "Events", "Evidence", "Office", "Worker", "RetinaConfig"] + hardware),
        ("Events", ["Media", "Vision", "Evidence", "Office", "Worker", "RetinaConfig", "CFFmpeg", "Hummingbird"]),
        ("Evidence", ["Media", "Vision", "Office", "Worker", "RetinaConfig", "CFFmpeg", "Hummingbird"]),
        ("Office", ["Media", "Vision", "Worker", "RetinaConfig", "CFFmpeg"]),
        ("Media", ["Vision", "Events", "Evidence", "Office", "Worker", "RetinaConfig", "CSQLite", "Hummingbird"]),
        ("RetinaConfig", ["Media", "Events", "Office", "Worker", "CFFmpeg", "CSQLite", "Hummingbird"]),
        ("Worker", ["Office", "Evidence", "Hummingbird"]),
    ])
    func targetImportsNoneOf(_ target: String, _ forbidden: [String]) throws {
        let found = try Self.imports(of: target).intersection(forbidden)
        #expect(found.isEmpty, "\(target) imports \(found.sorted().joined(separator: ", "))")
    }
}
