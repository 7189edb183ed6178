/// The one place that hides URL passwords: camera URLs, store URLs and any text that quotes them
/// (libav messages, YAML errors), so every module masks them the same way.
public enum URLCredentials {
    /// Masks the password of every `scheme://user:password@` in a text: `rtsp://admin:***@host/…`.
    /// A user without a password is masked too (`user:***@`): it may be a token. Idempotent.
    public static func mask(_ text: String) -> String {
        var out = ""
        var rest = text[...]
        while let schemeEnd = rest.firstRange(of: "://") {
            out += rest[..<schemeEnd.upperBound]
            rest = rest[schemeEnd.upperBound...]
            let authority = rest[..<(rest.firstIndex(where: endsAuthority) ?? rest.endIndex)]
            // The last '@' of the authority, as libav splits it: a password may hold an '@'.
            guard let at = authority.lastIndex(of: "@") else { continue }
            out += (authority[..<at].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? "") + ":***"
            rest = rest[at...]
        }
        return out + rest
    }

    /// Where a URL's `user:password@host:port` ends: at its path, query or fragment, and at the end
    /// of a line or a control character, so that an '@' further on in a text is never taken for one.
    /// Not at a space: a quoted password may hold one, and it must not be half shown.
    private static func endsAuthority(_ c: Character) -> Bool {
        c == "/" || c == "?" || c == "#" || c.isNewline || c.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}
