import Foundation
@testable import Inference
import Synchronization
import Testing

/// ONNX Runtime through its C API: loading, the model checks, running, and the executor. Needs the
/// library (scripts/install-deps.sh): without it these fail with the install message.
@Suite struct InferenceTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// y = 2x + 1 over float32 1×3×height×width, both spatial dimensions symbolic (made with onnx 1.17).
    static let affine = fixtures.appendingPathComponent("affine-dynamic.onnx").path
    static let affineIO = (inputs: [TensorSpec(name: "x", shape: [1, 3, -1, -1])], outputs: [TensorSpec(name: "y", shape: [1, 3, -1, -1])])

    @Test func theInstalledRuntimeIsTheOneTestedWith() throws {
        let runtime = try OnnxRuntime.shared()
        #expect(runtime.version == OnnxRuntime.expectedVersion)
    }

    @Test func aMissingLibrarySaysHowToInstallIt() {
        #expect(OnnxRuntime.candidatePaths(environment: ["RETINA_ONNXRUNTIME": "/opt/ort/libonnxruntime.so"]) == ["/opt/ort/libonnxruntime.so"])
        #expect(OnnxRuntime.candidatePaths(environment: [:]).contains("/usr/local/lib/libonnxruntime.so"))
        do {
            _ = try OnnxRuntime(candidates: ["/nonexistent/libonnxruntime.so"])
            Issue.record("a missing library loaded")
        } catch {
            let text = "\(error)"
            #expect(text.contains("/nonexistent/libonnxruntime.so"), "dlopen's reason names the path: \(text)")
            #expect(text.contains("scripts/install-deps.sh") && text.contains("RETINA_ONNXRUNTIME"), "\(text)")
        }
    }

    @Test func symbolicDimensionsTakeAnySize() throws {
        let session = try InferenceSession(path: Self.affine, inputs: Self.affineIO.inputs, outputs: Self.affineIO.outputs)
        #expect(session.inputs == Self.affineIO.inputs)
        for (h, w) in [(1, 2), (5, 7)] {
            let x = try Tensor(shape: [1, 3, h, w], data: (0..<(3 * h * w)).map { Float($0) - 4.5 })
            let y = try #require(try session.run([x]).first)
            #expect(y.shape == [1, 3, h, w])
            #expect(y.data == x.data.map { 2 * $0 + 1 })
        }
    }

    /// Without the arena (the density model's way: a large input now and then), the same answers at
    /// every size, run after run.
    @Test func aSessionWithoutTheArenaGivesTheSameAnswers() throws {
        let pooled = try InferenceSession(path: Self.affine, inputs: Self.affineIO.inputs, outputs: Self.affineIO.outputs)
        let perRun = try InferenceSession(path: Self.affine, inputs: Self.affineIO.inputs, outputs: Self.affineIO.outputs, memory: .perRun)
        #expect(pooled.memory == .arena && perRun.memory == .perRun)
        for (h, w) in [(64, 96), (3, 5), (64, 96)] {
            let x = try Tensor(shape: [1, 3, h, w], data: (0..<(3 * h * w)).map { Float($0 % 251) - 100 })
            #expect(try perRun.run([x]).first?.data == pooled.run([x]).first?.data)
            #expect(try perRun.run([x]).first?.data == x.data.map { 2 * $0 + 1 })
        }
    }

    @Test func theModelIsCheckedAtLoadAndNamedInTheError() throws {
        let wrongName = [TensorSpec(name: "images", shape: [1, 3, -1, -1])]
        #expect {
            _ = try InferenceSession(path: Self.affine, inputs: wrongName, outputs: Self.affineIO.outputs)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix(Self.affine) && text.contains("x [1×3×?×?] float32") && text.contains("expected images")
        }
        // A fixed dimension the model leaves symbolic is accepted; a different rank is not.
        _ = try InferenceSession(path: Self.affine, inputs: [TensorSpec(name: "x", shape: [1, 3, 416, 416])], outputs: Self.affineIO.outputs)
        #expect(throws: InferenceError.self) {
            try InferenceSession(path: Self.affine, inputs: [TensorSpec(name: "x", shape: [1, 3, 416])], outputs: Self.affineIO.outputs)
        }
        #expect(throws: InferenceError.model(path: "/nonexistent.onnx", problem: "not found")) {
            try InferenceSession(path: "/nonexistent.onnx", inputs: [], outputs: [])
        }
    }

    @Test func theDigestIsChecked() throws {
        let digest = try FileDigest.sha256(Self.affine)
        _ = try InferenceSession(path: Self.affine, inputs: Self.affineIO.inputs, outputs: Self.affineIO.outputs, sha256: digest.uppercased())
        #expect {
            try InferenceSession(path: Self.affine, inputs: Self.affineIO.inputs, outputs: Self.affineIO.outputs, sha256: String(repeating: "0", count: 64))
        } throws: { "\($0)".contains("sha256 is \(digest), expected 000") }
    }

    @Test func aTensorThatDoesNotFitIsRefused() throws {
        #expect(throws: InferenceError.self) { try Tensor(shape: [1, 3, 2, 2], data: [1, 2, 3]) }
        let session = try InferenceSession(path: Self.affine, inputs: Self.affineIO.inputs, outputs: Self.affineIO.outputs)
        #expect { try session.run([try Tensor(shape: [3, 2, 2], data: Array(repeating: 0, count: 12))]) } throws: {
            "\($0)".contains("cannot take a tensor of shape [3×2×2]")
        }
        #expect(throws: InferenceError.self) { try session.run([]) }
    }

    @Test func theExecutorRunsJobsConcurrentlyAndTyped() async throws {
        let session = try InferenceSession(path: Self.affine, inputs: Self.affineIO.inputs, outputs: Self.affineIO.outputs)
        let executor = InferenceExecutor(threads: 2)
        let outputs = try await withThrowingTaskGroup(of: Float.self) { group in
            for i in 0..<8 {
                group.addTask { try await executor.run(session, [try Tensor(shape: [1, 3, 1, 1], data: [Float(i), 0, 0])])[0].data[0] }
            }
            var seen: [Float] = []
            for try await r in group { seen.append(r) }
            return seen
        }
        let expected: [Float] = (0..<8).map { Float(2 * $0 + 1) }
        #expect(outputs.sorted() == expected)
        // Errors cross back to the caller typed.
        await #expect(throws: InferenceError.self) { try await executor.run(session, []) }
    }

    @Test func aNicerExecutorRunsItsJobsAtLowerPriorityInOrder() async {
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        let executor = InferenceExecutor(threads: 1, name: "test-nice", niceness: 5)
        let plain = InferenceExecutor(threads: 1, name: "test-plain")
        let order = Mutex<[Int]>([])
        for i in 0..<5 { executor.async { order.withLock { $0.append(i) } } }
        let nice = try? await executor.run { () throws(InferenceError) in getpriority(which, 0) }
        let base = try? await plain.run { () throws(InferenceError) in getpriority(which, 0) }
        #expect(nice != nil && base != nil && nice! == base! + 5, "nice \(String(describing: nice)), plain \(String(describing: base))")
        #expect(order.withLock { $0 } == [0, 1, 2, 3, 4])
    }

    /// More blocked jobs than the cooperative pool has threads: were they on the pool, nothing
    /// could run the task that releases them, and this test would hang until its time limit.
    @Test(.timeLimit(.minutes(1))) func blockedJobsLeaveTheCooperativePoolFree() async throws {
        let blocked = ProcessInfo.processInfo.activeProcessorCount + 1
        let executor = InferenceExecutor(threads: blocked)
        let gate = DispatchSemaphore(value: 0)
        async let done: Int = withTaskGroup(of: Int.self) { group in
            for i in 0..<blocked {
                group.addTask { (try? await executor.run { () throws(InferenceError) in gate.wait(); return i }) ?? -1 }
            }
            return await group.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        }
        // Runs on the pool while every executor thread is blocked.
        try await Task.sleep(for: .milliseconds(100))
        for _ in 0..<blocked { gate.signal() }
        let finished = await done
        #expect(finished == blocked)
    }
}
