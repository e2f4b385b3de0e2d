import Foundation
import Testing

/// `Package.swift` declares every module a target imports (SwiftPM lets a target import what another
/// dependency happens to bring along; that breaks as soon as the other dependency changes).
struct PackageManifestTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Modules of the toolchain, which no manifest declares.
    static let toolchain: Set<String> = [
        "Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Musl", "Darwin", "Dispatch", "Testing", "XCTest",
        "Synchronization", "RegexBuilder", "_Concurrency",
    ]

    /// Each target's name, folder and declared dependencies (target names and product names), read from the manifest.
    static func targets(in manifest: String) throws -> [(name: String, folder: String, dependencies: Set<String>)] {
        let starts = try Regex(#"\.(target|executableTarget|testTarget)\(\s*name:\s*"([^"]+)""#)
        let matches = manifest.matches(of: starts)
        return try matches.enumerated().map { index, match in
            let end = index + 1 < matches.count ? matches[index + 1].range.lowerBound : manifest.endIndex
            let body = String(manifest[match.range.lowerBound..<end])
            let kind = String(match.output[1].substring!)
            let name = String(match.output[2].substring!)
            var dependencies = Set<String>()
            if let list = body.firstMatch(of: try Regex(#"dependencies:\s*\[([\s\S]*?)\]"#)), let inner = list.output[1].substring {
                for quoted in inner.matches(of: try Regex(#"(?:name:\s*)?"([A-Za-z0-9_]+)""#)) {
                    dependencies.insert(String(quoted.output[1].substring!))
                }
            }
            let path = body.firstMatch(of: try Regex(#"path:\s*"([^"]+)""#)).flatMap { $0.output[1].substring.map(String.init) }
            return (name, path ?? ((kind == "testTarget" ? "Tests/" : "Sources/") + name), dependencies)
        }
    }

    /// The modules the Swift files under `folder` import.
    static func imports(under folder: URL) throws -> Set<String> {
        let statement = try Regex(#"^(?:@\w+\s+)*import\s+(?:(?:struct|class|enum|protocol|func|typealias)\s+)?([A-Za-z0-9_]+)"#)
        var modules = Set<String>()
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") where line.contains("import ") {
                if let match = line.firstMatch(of: statement), let module = match.output[1].substring { modules.insert(String(module)) }
            }
        }
        return modules
    }

    @Test func everyImportedModuleIsDeclared() throws {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let targets = try Self.targets(in: manifest)
        #expect(targets.count >= 20, "the manifest's targets were not found")
        var undeclared: [String] = []
        for target in targets {
            let imported = try Self.imports(under: Self.root.appendingPathComponent(target.folder))
            let missing = imported.subtracting(target.dependencies).subtracting(Self.toolchain).subtracting([target.name])
            if !missing.isEmpty { undeclared.append("\(target.name) imports \(missing.sorted().joined(separator: ", "))") }
        }
        #expect(undeclared.isEmpty, "declare these in Package.swift:\n\(undeclared.joined(separator: "\n"))")
    }
}
