import ArgumentParser
import Events
import Evidence
import Foundation

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify an evidence package: hashes, signature, custody chain, completeness.",
        discussion: """
        Checks every payload file against manifest-sha256.txt and manifest-md5.txt,
        every tag file against tagmanifest-sha256.txt, the Ed25519 signature over the
        tag manifest, the custody log's hash chain, and that no payload file is
        missing or extra. Exits 0 only when all of it holds; otherwise names each
        failure (file, expected and actual hash, custody line) and exits 1.

        A bag re-signed with another key is self-consistent: pass --trust with the
        site's fingerprint (or its public key file) to require that signer.

        Examples:
          retina verify exports/case-2026-118
          retina verify case-2026-118.zip --trust 3f1c…e9 --json
        """
    )

    @Argument(help: ArgumentHelp("A bag folder or a .zip of one.", valueName: "dir|zip"))
    var path: String

    @Option(name: .long, help: ArgumentHelp("Require this signer: a key fingerprint, or a PEM key file (repeatable).", valueName: "fingerprint|file"))
    var trust: [String] = []

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    func run() throws {
        var fingerprints: [String] = []
        for t in trust {
            if FileManager.default.fileExists(atPath: t) {
                guard let text = try? String(contentsOfFile: t, encoding: .utf8) else { throw CLIError("--trust \(t): cannot be read") }
                if let key = try? SitePublicKey(pem: text) { fingerprints.append(key.fingerprint) }
                else if let key = try? SiteKey.load(from: t) { fingerprints.append(key.publicKey.fingerprint) }
                else { throw CLIError("--trust \(t): not an Ed25519 public key (PEM) nor a site key") }
            } else {
                let fp = SitePublicKey.normalise(fingerprint: t)
                guard fp.count == 64 else { throw CLIError("--trust '\(t)': expected a 64-hex-digit fingerprint (retina keys show) or a key file") }
                fingerprints.append(fp)
            }
        }
        let report = BagVerifier(trusted: fingerprints).verify(path: path)
        if json {
            print(String(decoding: try EventJSON.encoder(pretty: true).encode(report), as: UTF8.self))
        } else if report.ok {
            let signer = report.signer.map { "signed by \($0)" + (report.signerTrusted == true ? " (trusted)" : " (not checked against a trusted key: --trust)") } ?? ""
            print("OK  \(path): \(report.payloadFiles) payload files, \(ByteCount.text(report.payloadBytes)), custody log \(report.custodyLines) lines, \(signer)")
        } else {
            print("FAILED  \(path): \(report.failures.count) problem\(report.failures.count == 1 ? "" : "s")")
            for f in report.failures { print("  \(f.message)") }
        }
        if !report.ok { throw ExitCode(1) }
    }
}

enum ByteCount {
    static func text(_ n: Int) -> String {
        if n < 1024 { return "\(n) B" }
        if n < 1 << 20 { return String(format: "%.1f KiB", Double(n) / 1024) }
        if n < 1 << 30 { return String(format: "%.1f MiB", Double(n) / 1048576) }
        return String(format: "%.2f GiB", Double(n) / 1073741824)
    }
}
