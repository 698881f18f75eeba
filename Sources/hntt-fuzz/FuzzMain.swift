import CHNTTFuzzMain
import Foundation
import HNTTFuzzTargets

// libFuzzer calls this for every input; `HNTT_FUZZ_TARGET` names the target (scripts/fuzz sets it).
let selectedTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["HNTT_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget.named(name) else {
        FileHandle.standardError.write(
            Data("HNTT_FUZZ_TARGET must be one of: \(FuzzTarget.all.map(\.name).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selectedTarget.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

#if !HNTT_FUZZING
    /// Without libFuzzer (a normal build): `hntt-fuzz replay TARGET FILE…` runs files through a target,
    /// `hntt-fuzz seed REPOSITORY` writes the seed corpus into REPOSITORY/Tests/Fuzz/corpus.
    @main
    struct FuzzTool {
        static func main() throws {
            let arguments = Array(CommandLine.arguments.dropFirst())
            switch arguments.first {
            case "replay" where arguments.count >= 2:
                guard let target = FuzzTarget.named(arguments[1]) else {
                    print("unknown target \(arguments[1])")
                    exit(2)
                }
                for file in arguments.dropFirst(2) {
                    target.run(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
                }
                print("\(target.name): \(arguments.count - 2) inputs, no crash")
            case "seed" where arguments.count == 2:
                let repository = arguments[1]
                for (target, seeds) in try FuzzSeeds.all(repository: repository) {
                    let folder = "\(repository)/Tests/Fuzz/corpus/\(target)"
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    for seed in seeds {
                        try Data(seed.bytes).write(to: URL(fileURLWithPath: "\(folder)/\(seed.name)"))
                    }
                }
            default:
                print("usage: hntt-fuzz replay TARGET FILE… | hntt-fuzz seed REPOSITORY")
                exit(2)
            }
        }
    }
#endif

// Keeps the C entry point's module linked in both builds.
let entryPointLinked = hntt_fuzz_main_linked()
