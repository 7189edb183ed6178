import ArgumentParser
import Evidence
import Foundation

/// The site's signing key: --key, else $RETINA_KEY, else ~/.config/retina/site-key.pem.
struct SigningKeyOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The site's signing key (default: $RETINA_KEY, else ~/.config/retina/site-key.pem).", valueName: "file"))
    var key: String?

    var path: String { key ?? SiteKey.defaultPath() }

    func load() throws -> SiteKey {
        do { return try SiteKey.load(from: path) } catch { throw CLIError(error) }
    }
}

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage the site's signing key for evidence exports.",
        discussion: """
        Exports are signed with the site's Ed25519 key. The private key stays in
        a file of mode 0600 that is never part of an export; every export carries
        the public key and its fingerprint (SHA-256 of the key's DER, the same as
        `openssl pkey -pubin -in signing-key.pem -outform DER | sha256sum`).
        Give the fingerprint to the receiving police unit out of band: `retina
        verify --trust FINGERPRINT` then rejects a bag re-signed with another key.
        """,
        subcommands: [Init.self, Show.self]
    )

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the site's signing key (refuses to overwrite one).",
            discussion: """
            Examples:
              retina keys init
              retina keys init --out /etc/retina/site-key.pem
            """
        )
        @Option(name: .long, help: ArgumentHelp("Where to write the private key (default: $RETINA_KEY, else ~/.config/retina/site-key.pem).", valueName: "file"))
        var out: String?

        func run() throws {
            let path = out ?? SiteKey.defaultPath()
            let key: SiteKey
            do { key = try SiteKey.create(at: path) } catch { throw CLIError(error) }
            print("created \(path) (mode 0600)")
            print("fingerprint: \(key.publicKey.fingerprint)")
            FileHandle.standardError.write(Data("keep a copy of this key safe, and give the fingerprint to the receiving unit: `retina keys show`\n".utf8))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the public key and its fingerprint.",
            discussion: """
            Examples:
              retina keys show
              retina keys show --key /etc/retina/site-key.pem --pem > site-key.pub.pem
            """
        )
        @Flag(name: .long, help: "Print only the public key (PEM).") var pem = false
        @OptionGroup var keyOptions: SigningKeyOptions

        func run() throws {
            let key = try keyOptions.load().publicKey
            if pem { print(key.pem, terminator: ""); return }
            print("key:         \(keyOptions.path)")
            print("algorithm:   Ed25519")
            print("fingerprint: \(key.fingerprint)")
            print(key.pem, terminator: "")
        }
    }
}
