import Events
import Hummingbird

/// What the office knows about one request: who made it (set by `Authorize`) and how.
public struct OfficeContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The token's holder; nil on public routes.
    public var holder: TokenHolder?
    /// The caller's token id (as `retina tokens list` shows it), so an admin cannot revoke their own.
    public var tokenId: String?

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// The caller on a route that `Authorize` guards.
    func caller() throws -> TokenHolder {
        guard let holder else { throw OfficeError(.unauthorized, "a valid token is required") }
        return holder
    }
}
