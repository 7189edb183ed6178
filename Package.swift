// swift-tools-version:6.0
import PackageDescription

// Layout follows ../shared/DESIGN.md: C interop in thin system-library targets, pure Swift vision,
// the store behind a protocol, and an executable that only wires things together.
let package = Package(
    name: "Retina",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "retina", targets: ["retina"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // SHA-256 of evidence files, Ed25519 signatures of police exports.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // The security office's HTTP server.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The PostgreSQL store, when workers span several machines.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Already in the graph through postgres-nio; named for the store's first, direct connection.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // Police exports as .zip (written and verified in-process, no /usr/bin/zip).
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // Worker metrics: swift-metrics handles, a Prometheus registry behind them (GET /metrics).
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Webhooks of the linkage out (issue 21): an HTTP client on the NIO the office already runs on.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // libavformat/libavcodec/libswscale/libavutil plus a header shim for the macros Swift cannot import.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
        ),
        // The system SQLite (see README: why not GRDB).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // ONNX Runtime's C API, declared by hand (the PyPI wheel has no headers) and opened with dlopen
        // at run time, so `retina` starts and its classical detectors run without the library.
        .target(name: "COnnxRuntime", linkerSettings: [.linkedLibrary("dl")]),
        // Eclipse Mosquitto's MQTT client library (Debian's libmosquitto-dev), for the linkage out.
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),

        // URL passwords masked in one place, for the media layer and the configuration alike.
        .target(name: "Redaction"),
        // The names the targets share: event types and subtypes, crowd levels, priorities and their
        // table, evidence kinds, camera states, stream options and their defaults. Depends on nothing.
        .target(name: "Vocabulary"),
        .target(name: "Media", dependencies: ["CFFmpeg", "Redaction", "Vocabulary", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Vision", dependencies: ["Vocabulary"]),
        .target(name: "SceneSynth", dependencies: ["Vision"]),
        // Learned models through ONNX Runtime: sessions checked at load, run on threads of their own.
        .target(name: "Inference", dependencies: ["COnnxRuntime", .product(name: "Crypto", package: "swift-crypto")]),
        // Learned detection in pure Swift: letterbox, tiles, YOLOX decoding, NMS; pixels come through a protocol.
        .target(name: "Perception", dependencies: ["Inference", "Vocabulary"]),
        // Objects followed across a detector's passes (Kalman boxes, ByteTrack association): pure Swift.
        .target(name: "Tracking", dependencies: ["Perception"]),
        // What tracks mean: behaviours decided on followed people and vehicles (a vehicle among pedestrians).
        .target(name: "Behaviour", dependencies: ["Tracking", "Perception", "Vision", "Vocabulary"]),
        // Falls of a person at home, decided on the pose's posture over time: pure Swift.
        .target(name: "Falls", dependencies: ["Perception", "Vision"]),
        .target(name: "Events", dependencies: ["Vocabulary", "CSQLite", .product(name: "Crypto", package: "swift-crypto"),
                                               .product(name: "PostgresNIO", package: "postgres-nio"),
                                               .product(name: "NIOSSL", package: "swift-nio-ssl"),
                                               .product(name: "Logging", package: "swift-log")]),
        // Police-linkage exports: BagIt evidence bags, custody log, signature, verify; GB/T 28181 and GA/T 1400 renderings.
        .target(name: "Evidence", dependencies: ["Events", .product(name: "Crypto", package: "swift-crypto"),
                                                 .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // Cancellation as graceful shutdown, for the office and metrics HTTP servers; a process's
        // services (SIGINT/SIGTERM), SIGHUP reloads and the time limit.
        .target(name: "GracefulService", dependencies: [.product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                                        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                                                        .product(name: "Logging", package: "swift-log")]),
        // The OpenAPI document is compiled in (GET /api/openapi.json), so the binary serves the contract it implements.
        .target(name: "Office", dependencies: ["Events", "Evidence", "GracefulService", .product(name: "Hummingbird", package: "hummingbird"),
                                               .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                               .product(name: "Logging", package: "swift-log")],
                resources: [.embedInCode("Resources/openapi.json")]),
        // Linkage out (issue 21): the store's outbox relayed to an MQTT broker and to signed webhooks,
        // at least once, one process per subscriber at a time.
        .target(name: "Linkage", dependencies: ["Events", "Vocabulary", "Redaction", "CMosquitto", .product(name: "Crypto", package: "swift-crypto"),
                                                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                                .product(name: "Logging", package: "swift-log")]),
        // Perception for the tile plans a camera's `perception.tiles` names (one parser, `TileSetting`).
        .target(name: "RetinaConfig", dependencies: ["Yams", "Vision", "Redaction", "Vocabulary", "Perception"]),
        // Crowd model files: `Models/crowd-generic.json` found ($RETINA_MODELS, ./Models, beside the
        // executable or its checkout), a camera's own read and checked.
        .target(name: "ModelStore", dependencies: ["Vision"]),
        // Scores the detectors on labelled video (../shared/data/README.md format); fits calibrations.
        .target(name: "Evaluation", dependencies: ["Media", "Vision", "Vocabulary", "Yams", "Falls"]),
        .target(
            name: "Worker",
            dependencies: ["Media", "Vision", "Vocabulary", "Events", "RetinaConfig", "ModelStore", "Perception", "Inference", "Tracking", "Behaviour",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]
        ),
        // A worker's Prometheus metrics over HTTP (`--metrics-port`); Worker itself stays free of HTTP.
        // Named apart from swift-metrics' own `Metrics` module.
        .target(
            name: "RetinaMetrics",
            dependencies: ["Worker", "Vocabulary", "GracefulService", .product(name: "CoreMetrics", package: "swift-metrics"),
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log")],
            path: "Sources/Metrics"
        ),
        .executableTarget(
            name: "retina",
            dependencies: [
                "Worker", "Media", "Events", "RetinaConfig", "Evaluation", "ModelStore", "Vision", "Office", "Evidence",
                "RetinaMetrics", "Vocabulary", "GracefulService", "Perception", "Inference", "Tracking", "Behaviour", "Falls", "Linkage",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Decode + scale + no-op detector throughput, compared with `ffmpeg -f null` by Benchmarks/decode.sh.
        .executableTarget(
            name: "DecodeBench",
            dependencies: ["Media", "Vision", "Vocabulary", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/DecodeBench"
        ),

        // The dispatch queue under load (Benchmarks/queue.sh).
        .executableTarget(name: "QueueBench", dependencies: ["Events"], path: "Benchmarks/QueueBench"),
        // Seeds a store with N events and real JPEG snapshots for Benchmarks/export.sh.
        .executableTarget(name: "ExportBench", dependencies: ["Events"], path: "Benchmarks/ExportBench"),

        // Real fixtures for the tests: clips made by ffmpeg, a GStreamer RTSP server on loopback.
        .target(name: "RetinaTestSupport", path: "Tests/RetinaTestSupport"),
        .testTarget(name: "MediaTests", dependencies: ["Media", "Vocabulary", "RetinaTestSupport"]),
        .testTarget(name: "InferenceTests", dependencies: ["Inference"], exclude: ["Fixtures"]),
        // The detection chain; the end-to-end tests read real pictures through Media (Worker's adapter).
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Falls", "Media", "Vision", "RetinaTestSupport"]),
        .testTarget(name: "PerceptionTests", dependencies: ["Perception", "Inference", "ModelStore", "Media", "Worker", "Vocabulary", "RetinaTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "VisionTests", dependencies: ["Vision", "SceneSynth", "Vocabulary"]),
        .testTarget(name: "TrackingTests", dependencies: ["Tracking", "Behaviour", "Perception"]),
        .testTarget(name: "FallsTests", dependencies: ["Falls", "Perception", "Vision"]),
        .testTarget(name: "EventsTests", dependencies: ["Events", "RetinaTestSupport", .product(name: "PostgresNIO", package: "postgres-nio")]),
        .testTarget(name: "OfficeTests", dependencies: ["Office", "Events", "Evidence", "RetinaTestSupport"]),
        .testTarget(name: "EvidenceTests", dependencies: ["Evidence", "Events", "RetinaTestSupport"]),
        .testTarget(name: "LinkageTests", dependencies: ["Linkage", "Events", "Vocabulary", "GracefulService", "RetinaTestSupport",
                                                     .product(name: "Hummingbird", package: "hummingbird")]),
        .testTarget(name: "RetinaConfigTests", dependencies: ["RetinaConfig", "Vocabulary"]),
        // Reads Sources/ and Package.swift: what each target may import (README, "How it is built").
        .testTarget(name: "ArchitectureTests"),
        .testTarget(name: "WorkerTests", dependencies: ["Worker", "ModelStore", "Media", "Events", "RetinaConfig", "Vision", "Vocabulary", "RetinaTestSupport"]),
        // The command line: what `retina worker` parses is what a supervisor renders; `--camera`;
        // duration options; `retina run` as a process (time limit, signals).
        .testTarget(name: "CLITests", dependencies: ["retina", "Worker", "RetinaConfig", "RetinaTestSupport"]),
        .testTarget(name: "RetinaMetricsTests", dependencies: ["RetinaMetrics", "Worker", "Events", "RetinaConfig", "RetinaTestSupport"],
                    path: "Tests/MetricsTests"),
    ]
)
