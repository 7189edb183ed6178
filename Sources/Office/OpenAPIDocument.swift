import Foundation
import Hummingbird

/// The office API's contract, `Resources/openapi.json` (OpenAPI 3), compiled into the binary so a
/// copied `retina` serves the document that matches it; `scripts/fuzz-office.sh` fuzzes a live
/// server against it.
enum OpenAPIDocument {
    static let bytes: [UInt8] = PackageResources.openapi_json

    static func response() -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
