import Evidence
import Events
import Foundation
import Hummingbird

/// The live wall: each camera's latest analysed picture.
extension OfficeAPI {
    /// `GET /api/cameras/{camera}/live`: the camera's latest analysed picture (refreshed every few
    /// seconds by its worker, masked zones black; none for home cameras), never cached.
    func livePicture(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let camera = try context.parameters.require("camera")
        guard let relative = LivePicture.relativePath(camera: camera) else {
            throw OfficeError(.badRequest, "'\(camera)' is not a camera id (letters, digits, '-', '_' and '.')")
        }
        let root = evidence
        let data: Data
        do {
            data = try await EvidenceRoot.offPool { () throws(EvidenceFileError) -> Data in try root.readUnhashed(uri: relative, limit: 8 << 20) }
        } catch EvidenceFileError.missing {
            throw OfficeError(.notFound, "no live picture of camera '\(camera)' (not running here, a home camera, or no evidence folder)")
        } catch {
            context.logger.error("live picture of \(camera) refused: \(error)")
            throw OfficeError(.conflict, "the live picture of '\(camera)' is not a regular file of the evidence folder")
        }
        guard MediaSniff.mime(of: data.prefix(16)) == "image/jpeg" else {
            throw OfficeError(.conflict, "the live picture of '\(camera)' is not a JPEG")
        }
        return Response(status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
