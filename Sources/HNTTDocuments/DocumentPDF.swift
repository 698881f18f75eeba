import Foundation
import HNTTCore
import HNTTTransport

/// A document's HTML printed to PDF by a headless Chromium (Debian's `chromium`), which lays out
/// the page's A4 size, margins and page numbers (`@page` margin boxes) itself.
public enum DocumentPDF {
    /// `$HNTT_CHROMIUM`, else the first of the usual names found on `PATH`.
    public static func browser() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["HNTT_CHROMIUM"], !explicit.isEmpty {
            return FileManager.default.isExecutableFile(atPath: explicit) ? explicit : nil
        }
        let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            for directory in path where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        return nil
    }

    public static let timeout: TimeInterval = 60

    /// `browser`: the Chromium to run; nil when none is installed (the error names the package).
    public static func render(_ html: String, browser: String? = DocumentPDF.browser()) async throws -> Data {
        let deadline = Deadline.after(seconds: timeout + 5)
        let late: @Sendable () -> any Error = {
            HNTTError(.timeout, "Chromium did not print the PDF within \(Int(timeout)) s")
        }
        return try await onOwnThread(by: deadline, timedOut: late) { try printed(html, browser: browser) }
    }

    /// Runs on a thread of its own: writes the page, runs Chromium with a deadline, reads the PDF.
    static func printed(_ html: String, browser: String?) throws -> Data {
        guard let browser else {
            throw HNTTError(
                .badInput, "--format pdf needs a headless Chromium, and none is installed",
                fix: "install Debian's package chromium (`apt-get install chromium`), or set $HNTT_CHROMIUM;"
                    + " or write --format docx or html and print that")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hntt-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("document.html")
        let output = folder.appendingPathComponent("document.pdf")
        try Data(html.utf8).write(to: page)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-pdf-header-footer", "--user-data-dir=\(folder.appendingPathComponent("profile").path)",
            "--print-to-pdf=\(output.path)", page.absoluteString,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw HNTTError(
                .badInput, "could not start \(browser): \(error.localizedDescription)", fix: "check the install")
        }
        let ends = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < ends { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            Thread.sleep(forTimeInterval: 1)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            throw HNTTError(.timeout, "Chromium did not print the PDF within \(Int(timeout)) s")
        }
        guard let data = try? Data(contentsOf: output), data.starts(with: Data("%PDF".utf8)) else {
            throw HNTTError(
                .badInput, "Chromium (\(browser)) ended with status \(process.terminationStatus) and wrote no PDF",
                fix: "run `\(browser) --headless --print-to-pdf=x.pdf URL` by hand to see why")
        }
        return data
    }
}
