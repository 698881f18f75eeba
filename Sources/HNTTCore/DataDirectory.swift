import Foundation

/// The gateway's private folder: database, secret store, pinned host keys, trust store.
/// Created on first use with mode 0700, since it holds the site's credentials.
public struct DataDirectory: Sendable {
    public let path: String

    /// `--data`, else `$HNTT_DATA`, else `$XDG_DATA_HOME/hntt`, else `~/.local/share/hntt`.
    public static func resolve(_ explicit: String?) -> DataDirectory {
        let environment = ProcessInfo.processInfo.environment
        if let explicit, !explicit.isEmpty { return DataDirectory(path: explicit) }
        if let data = environment["HNTT_DATA"], !data.isEmpty { return DataDirectory(path: data) }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return DataDirectory(path: xdg + "/hntt") }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return DataDirectory(path: home + "/.local/share/hntt")
    }

    public init(path: String) { self.path = path }

    /// Creates the folder (0700) if needed.
    public func ensureExists() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw HNTTError(
                    .badInput, "data path \(path) is a file, not a folder", fix: "pass --data DIR with a folder")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw HNTTError(
                .badInput, "cannot create the data folder \(path): \(error.localizedDescription)",
                fix: "pass --data DIR with a folder you can write to")
        }
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes `data` atomically with the given permissions (the permissions are set before the
    /// content appears under its name, so a secret is never readable by others even briefly).
    public func writePrivate(_ data: Data, to name: String, mode: Int = 0o600) throws {
        try ensureExists()
        let target = file(name)
        let temporary = target + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: mode]),
            let handle = FileHandle(forWritingAtPath: temporary)
        else {
            throw HNTTError(.badInput, "cannot write \(target)", fix: "check the permissions of \(path)")
        }
        handle.write(data)
        try? handle.synchronize()   // on disk before it replaces the old file: a power cut leaves one or the other
        try? handle.close()
        guard rename(temporary, target) == 0 else {
            unlink(temporary)
            throw HNTTError(.badInput, "cannot replace \(target)", fix: "check the permissions of \(path)")
        }
    }

    /// Runs `body` holding an exclusive lock on the folder (a `flock` on `.lock`), so that
    /// read-modify-write cycles of several hntt processes at once never lose one another's
    /// changes. Blocks while another holds it: call it off the cooperative pool.
    public func withExclusiveLock<T>(_ body: () throws -> T) throws -> T {
        try ensureExists()
        let descriptor = open(file(".lock"), O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw HNTTError(.badInput, "cannot lock the data folder \(path)", fix: "check the permissions of \(path)")
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw HNTTError(
                    .badInput, "cannot lock the data folder \(path)", fix: "check the permissions of \(path)")
            }
        }
        return try body()
    }
}
