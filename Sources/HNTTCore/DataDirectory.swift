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

    /// Writes `data` atomically with the given permissions: a temporary file (mode set before the
    /// content is written, so a secret is never readable by others even briefly), fsync, rename, fsync
    /// of the folder. A full disk or a read-only folder throws with the reason and leaves the previous
    /// file as it was.
    public func writePrivate(_ data: Data, to name: String, mode: Int = 0o600) throws {
        try ensureExists()
        let target = file(name)
        let temporary = target + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func failure(_ step: String) -> HNTTError {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            return HNTTError(
                .badInput, "cannot \(step) \(target): \(reason); the previous file is unchanged",
                fix: errno == ENOSPC || errno == EDQUOT
                    ? "free some space on the disk holding \(path), then try again"
                    : "check that \(path) is writable by this user, then try again")
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
        guard descriptor >= 0 else { throw failure("write") }
        var written = 0
        let ok = data.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let result = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += result
            }
            return true
        }
        // On disk before it replaces the old file: a power cut leaves one or the other.
        guard ok, fsync(descriptor) == 0 else {
            let saved = errno
            close(descriptor)
            errno = saved
            throw failure("write")
        }
        guard close(descriptor) == 0 else { throw failure("write") }
        guard rename(temporary, target) == 0 else { throw failure("replace") }
        let folder = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            _ = fsync(folder)
            close(folder)
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
