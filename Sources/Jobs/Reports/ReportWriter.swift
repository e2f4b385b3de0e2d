import Foundation
import HeraldCore
import Reports

/// Writes rendered reports to `DIR/<slug>/<timestamp>/report.<ext>` and refreshes `DIR/<slug>/latest/`.
public struct ReportWriter: Sendable {
    /// The reports folder (`reports/` by default).
    let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// Writes `contents` and returns the path of the new file and of its `latest` copy.
    public func write(_ contents: String, slug: String, format: String, at time: Date) throws -> (file: URL, latest: URL) {
        let fileManager = FileManager.default
        let stamp =
            Timestamp.format(time).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
            .prefix(15) + "Z"
        let campaignFolder = directory.appendingPathComponent(slug)
        let folder = campaignFolder.appendingPathComponent(String(stamp))
        try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("report.\(format)")
        try Data(contents.utf8).write(to: file, options: .atomic)

        // Refresh latest/: copy into a fresh folder, then swap it in.
        let latest = campaignFolder.appendingPathComponent("latest")
        let staging = campaignFolder.appendingPathComponent(".latest-\(UUID().uuidString)")
        try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
        if fileManager.fileExists(atPath: latest.path) {
            for name in try fileManager.contentsOfDirectory(atPath: latest.path) where name != "report.\(format)" {
                try fileManager.copyItem(at: latest.appendingPathComponent(name), to: staging.appendingPathComponent(name))
            }
        }
        try fileManager.copyItem(at: file, to: staging.appendingPathComponent("report.\(format)"))
        if fileManager.fileExists(atPath: latest.path) { try fileManager.removeItem(at: latest) }
        try fileManager.moveItem(at: staging, to: latest)
        return (file, latest.appendingPathComponent("report.\(format)"))
    }
}
