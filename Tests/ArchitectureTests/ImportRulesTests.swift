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
        ("Worker", ["Office", "Evidence", "Evaluation", "Hummingbird"]),
        ("ModelStore", ["Media", "Events", "Evidence", "Office", "Worker", "RetinaConfig", "Evaluation"] + hardware),
        ("GracefulService", ["Media", "Vision", "Events", "Evidence", "Office", "Worker", "RetinaConfig"] + hardware),
        // Learned detection sees pixels through its own protocol and ONNX Runtime only through Inference.
        ("Perception", ["Media", "Events", "Evidence", "Office", "Worker", "RetinaConfig", "COnnxRuntime"] + hardware),
        ("Inference", ["Media", "Vision", "Perception", "Events", "Office", "Worker", "RetinaConfig"] + hardware),
        // Tracks and behaviours are geometry over detections: no pixels, no runtime, no store.
        ("Tracking", ["Media", "Events", "Evidence", "Office", "Worker", "RetinaConfig", "Inference", "COnnxRuntime"] + hardware),
        ("Behaviour", ["Media", "Events", "Evidence", "Office", "Worker", "RetinaConfig", "Inference", "COnnxRuntime"] + hardware),
        ("Falls", ["Media", "Events", "Evidence", "Office", "Worker", "RetinaConfig", "Inference", "COnnxRuntime"] + hardware),
        // Linkage out reads the store's outbox and talks to brokers and receivers: no pixels, no
        // detectors, no office, and its configuration comes in as values (the executable maps it).
        ("Linkage", ["Media", "Vision", "Perception", "Inference", "Worker", "Office", "RetinaConfig", "Evidence", "CFFmpeg", "CSQLite", "Hummingbird"]),
        // Mosquitto stays in Linkage's thin wrapper.
        ("Office", ["CMosquitto", "Linkage"]),
        ("Worker", ["CMosquitto"]),
    ])
    func targetImportsNoneOf(_ target: String, _ forbidden: [String]) throws {
        let found = try Self.imports(of: target).intersection(forbidden)
        #expect(found.isEmpty, "\(target) imports \(found.sorted().joined(separator: ", "))")
    }

    /// A target's declaration in Package.swift: from its `name:` to the next target.
    static func declaration(of target: String) throws -> Substring {
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        // `name: "X"` right after `.target(` or `.executableTarget(` (the products name targets too).
        var search = manifest.startIndex..<manifest.endIndex
        var found: Range<String.Index>?
        while let hit = manifest.range(of: "name: \"\(target)\"", range: search) {
            let before = manifest[..<hit.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
            if before.hasSuffix(".target(") || before.hasSuffix("Target(") { found = hit; break }
            search = hit.upperBound..<manifest.endIndex
        }
        let start = try #require(found, "no target \(target) in Package.swift")
        let rest = manifest[start.upperBound...]
        let end = ["\n        .target(", "\n        .executableTarget(", "\n        .testTarget(", "\n        .systemLibrary("]
            .compactMap { rest.range(of: $0)?.lowerBound }.min() ?? rest.endIndex
        return rest[..<end]
    }

    /// A package product a target imports is one it declares, not one it happens to see through another target.
    @Test(arguments: [("Office", "Office"), ("RetinaMetrics", "Metrics"), ("Worker", "Worker"), ("GracefulService", "GracefulService"),
                      ("Media", "Media"), ("Events", "Events"), ("retina", "retina")])
    func importedLoggingAndServiceLifecycleAreDeclared(_ target: String, _ folder: String) throws {
        let imports = try Self.imports(of: folder)
        let declaration = try Self.declaration(of: target)
        for (module, product) in [("Logging", #".product(name: "Logging""#), ("ServiceLifecycle", #".product(name: "ServiceLifecycle""#),
                                  ("UnixSignals", #".product(name: "UnixSignals""#)] where imports.contains(module) {
            #expect(declaration.contains(product), "\(target) imports \(module) without declaring it in Package.swift")
        }
    }

    /// The executable parses options and wires services: the worker's runtime lives in Worker.
    @Test func theExecutableHoldsNoRuntime() throws {
        let folder = Self.root.appendingPathComponent("Sources/retina")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!files.contains("Signals.swift"))
        for file in files where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains("DispatchSource.makeSignalSource"), "\(file) handles signals itself")
            #expect(!text.contains("struct AcceptedConfig"), "\(file) holds the supervisor's accepted configuration")
        }
    }
}
