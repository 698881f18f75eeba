// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "hntt",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hntt", targets: ["hntt"]),
        .executable(name: "hntt-sim", targets: ["hntt-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/pointfreeco/swift-clocks", from: "1.1.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // libssh2 from the system (apt: libssh2-1-dev), with inline wrappers for its macros.
        .systemLibrary(
            name: "CLibSSH2",
            pkgConfig: "libssh2",
            providers: [.apt(["libssh2-1-dev"])]
        ),
        // epoll, eventfd and ioctl wrappers that the Glibc module does not expose.
        .target(name: "CHNTTSystem"),
        // Byte transports: SSH, telnet, serial, raw TCP; the I/O reactor; deadlines.
        .target(
            name: "HNTTTransport",
            dependencies: [
                "CLibSSH2", "CHNTTSystem",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Inventory, device profiles, secrets, host-key pins, errors, the driver protocols.
        .target(
            name: "HNTTCore",
            dependencies: [
                "HNTTTransport",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The Cisco xAPI (TSH terminal mode) parser and driver.
        .target(name: "HNTTCisco", dependencies: ["HNTTCore", "HNTTTransport"]),
        // The Poly Group Series / HDX legacy text API: parser and driver.
        .target(name: "HNTTPoly", dependencies: ["HNTTCore", "HNTTTransport"]),
        // Cisco Meeting Server: its REST API's XML replies (FoundationXML), over pinned HTTPS.
        .target(name: "HNTTCMS", dependencies: ["HNTTCore", "HNTTTransport"]),
        // Sony VISCA (and compatible) PTZ cameras: packet codec, links (serial chain, TCP, UDP,
        // VISCA over IP) and driver.
        .target(name: "HNTTVISCA", dependencies: ["HNTTCore", "HNTTTransport"]),
        // Governance: snapshots, approval keys, signed baselines, drift (SQLite through GRDB).
        .target(
            name: "HNTTGovernance",
            dependencies: [
                "HNTTCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The guard: authorisations, safe apply with rollback, canonical commands (the one door for writes).
        .target(name: "HNTTGuard", dependencies: ["HNTTCore", "HNTTGovernance"]),
        // Technical procedures (power-on, test call, dial, shutdown) as data, and their runner.
        .target(name: "HNTTProcedures", dependencies: ["HNTTCore", .product(name: "Yams", package: "Yams")]),
        // The application layer: one core that every interface (CLI, service, scheduler, hub) calls.
        .target(
            name: "HNTTGateway",
            dependencies: [
                "HNTTCore", "HNTTCisco", "HNTTPoly", "HNTTVISCA", "HNTTCMS", "HNTTGovernance", "HNTTGuard",
                "HNTTProcedures",
                "HNTTTransport",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The province hub's records on PostgreSQL (postgres-nio): ledger, accounts, province views.
        .target(
            name: "HNTTHub",
            dependencies: [
                "HNTTCore", "HNTTGovernance", "HNTTTransport", "HNTTGateway",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Alert delivery: the queue of the Gateway's alerts sent by webhook (AsyncHTTPClient) and e-mail (SMTP).
        .target(
            name: "HNTTAlerts",
            dependencies: [
                "HNTTCore", "HNTTGovernance", "HNTTGateway", "HNTTDocuments", "HNTTTransport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // Renderers of the values the Gateway returns: JSON shapes, CSV, and the official documents
        // (Nghị định 30/2020) as HTML, Word (Office Open XML, zipped by ZIPFoundation) and PDF.
        .target(
            name: "HNTTDocuments",
            dependencies: [
                "HNTTCore", "HNTTGovernance", "HNTTGateway", "HNTTTransport", "HNTTHub",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        // `hntt serve` and `hntt hub serve`: HTTP APIs and web pages, thin shells over the Gateway and the
        // hub's ledger (Hummingbird 2).
        .target(
            name: "HNTTService",
            dependencies: [
                "HNTTCore", "HNTTGovernance", "HNTTGateway", "HNTTDocuments", "HNTTTransport", "HNTTAlerts", "HNTTHub",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Web")]
        ),
        // Parsers of outside input driven by arbitrary bytes, for libFuzzer (scripts/fuzz) and the tests.
        .target(
            name: "HNTTFuzzTargets",
            dependencies: [
                "HNTTCore", "HNTTCisco", "HNTTPoly", "HNTTVISCA", "HNTTGovernance", "HNTTProcedures", "HNTTTransport",
                "HNTTCMS",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The fuzzing binary: libFuzzer's entry point; without -DHNTT_FUZZING a replay and seed tool.
        .target(name: "CHNTTFuzzMain"),
        .executableTarget(name: "hntt-fuzz", dependencies: ["HNTTFuzzTargets", "CHNTTFuzzMain"]),
        // Device simulators, with their own plain blocking I/O (never the transports under test).
        .target(
            name: "HNTTSimulator",
            dependencies: [
                "CHNTTSystem",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        .executableTarget(
            name: "hntt",
            dependencies: [
                "HNTTCore", "HNTTCisco", "HNTTPoly", "HNTTVISCA", "HNTTGovernance", "HNTTGuard", "HNTTProcedures",
                "HNTTTransport",
                "HNTTGateway", "HNTTDocuments", "HNTTService", "HNTTHub",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The hub's scale benchmark (scripts/bench-hub): a simulated year for many gateways, timed views.
        .executableTarget(
            name: "hntt-hub-bench",
            dependencies: [
                "HNTTCore", "HNTTGovernance", "HNTTGateway", "HNTTHub", "HNTTService", "HNTTTransport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "hntt-sim",
            dependencies: [
                "HNTTSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helpers shared by the test targets.
        .target(
            name: "HNTTTestSupport",
            dependencies: [
                "HNTTTransport", "CHNTTSystem", "HNTTCore", "HNTTGateway", "HNTTGovernance", "HNTTSimulator",
            ],
            path: "Tests/HNTTTestSupport"),
        .testTarget(name: "HNTTCoreTests", dependencies: ["HNTTCore", "HNTTTransport", "HNTTTestSupport"]),
        .testTarget(
            name: "HNTTTransportTests",
            dependencies: [
                "HNTTTransport", "HNTTSimulator", "HNTTTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        .testTarget(name: "HNTTPolyTests", dependencies: ["HNTTPoly", "HNTTCore", "HNTTTransport", "HNTTTestSupport"]),
        .testTarget(
            name: "HNTTVISCATests", dependencies: ["HNTTVISCA", "HNTTCore", "HNTTTransport", "HNTTTestSupport"]),
        .testTarget(
            name: "HNTTGovernanceTests",
            dependencies: [
                "HNTTGovernance", "HNTTCore", "HNTTCisco", "HNTTTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "HNTTGuardTests", dependencies: ["HNTTGuard", "HNTTCore"]),
        .testTarget(
            name: "HNTTDocumentsTests",
            dependencies: ["HNTTDocuments", "HNTTGateway", "HNTTGovernance", "HNTTCore", "HNTTTransport"],
            exclude: ["read-docx.py"]),
        // The application layer in-process, on simulators over telnet and a pty: no root, no sshd.
        .testTarget(
            name: "HNTTGatewayTests",
            dependencies: [
                "HNTTGateway", "HNTTGovernance", "HNTTCore", "HNTTSimulator", "HNTTTransport", "HNTTTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The service in-process (Hummingbird's router test mode) and live on loopback.
        .testTarget(
            name: "HNTTServiceTests",
            dependencies: [
                "HNTTService", "HNTTGateway", "HNTTGovernance", "HNTTCore", "HNTTSimulator", "HNTTTestSupport",
                "HNTTDocuments", "HNTTTransport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The scheduler, the live watch and the alerts in-process on simulators, with an injected clock.
        .testTarget(
            name: "HNTTSchedulerTests",
            dependencies: [
                "HNTTGateway", "HNTTGovernance", "HNTTCore", "HNTTSimulator", "HNTTTestSupport", "HNTTAlerts",
                "HNTTDocuments", "HNTTTransport",
                .product(name: "Clocks", package: "swift-clocks"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // The province hub on a real PostgreSQL (scripts/test starts one) with gateways in-process.
        .testTarget(
            name: "HNTTHubTests",
            dependencies: [
                "HNTTHub", "HNTTService", "HNTTDocuments", "HNTTGateway", "HNTTGovernance", "HNTTCore",
                "HNTTTestSupport", "HNTTTransport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "HNTTProceduresTests", dependencies: ["HNTTProcedures", "HNTTCore"]),
        .testTarget(name: "HNTTCMSTests", dependencies: ["HNTTCMS", "HNTTCore"]),
        // Every committed fuzz input (corpus and past crashes) replayed through its target.
        .testTarget(
            name: "HNTTFuzzRegressionTests", dependencies: ["HNTTFuzzTargets", "HNTTGovernance", "HNTTTransport"]),
        .testTarget(
            name: "HNTTCiscoTests", dependencies: ["HNTTCisco", "HNTTCore", "HNTTSimulator", "HNTTTestSupport"]),
        .testTarget(
            name: "HNTTIntegrationTests",
            // hntt and hntt-sim are listed so that they are built before the tests run them.
            dependencies: [
                "HNTTCisco", "HNTTPoly", "HNTTVISCA", "HNTTCore", "HNTTGovernance", "HNTTTransport", "HNTTSimulator",
                "HNTTProcedures", "HNTTTestSupport", "hntt", "hntt-sim",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
