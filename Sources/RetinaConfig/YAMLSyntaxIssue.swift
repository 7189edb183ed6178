import Foundation
import Yams

extension ConfigIssue {
    /// A YAML syntax error with its line, column and libyaml's words only: Yams's own description
    /// adds a copy of the line, and for a duplicate key the whole file, passwords included.
    init(_ error: YamlError, yaml: String, file: String) {
        let (position, message) = Self.locatedMessage(error, yaml: yaml)
        self.init(file: file, line: position?.line, column: position?.column, path: "", message: "not valid YAML: \(message)")
    }

    private typealias Position = (line: Int, column: Int)

    private static func locatedMessage(_ error: YamlError, yaml: String) -> (Position?, String) {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            // libyaml's context is a phrase and a position, e.g. "while scanning a quoted scalar" at 3:10.
            return ((mark.line, mark.column), context.map { "\(problem) (\($0.text) at \($0.mark))" } ?? problem)
        case let .reader(problem, offset, value, _):
            let character = value >= 0 ? String(format: " (0x%02X)", value) : ""
            return (offset.map { position(ofCharacter: $0, in: yaml) }, problem + character)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return ((context.mark.line, context.mark.column), "\(keys) given twice in one mapping")
        default:
            // The remaining cases (memory, emitter, decoding) quote nothing of the file.
            return (nil, "\(error)")
        }
    }

    /// Line and column (both from 1) of the `offset`-th character, as Yams counts reader offsets.
    private static func position(ofCharacter offset: Int, in yaml: String) -> Position {
        var line = 1, column = 1
        for c in yaml.prefix(offset) {
            if c.isNewline { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }
}
