// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Herald",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "herald", targets: ["herald"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // Pure domain: types, validation, parsing. No I/O.
        .target(
            name: "HeraldCore",
            dependencies: [.product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // Pure scheduling: cron, schedules, next fire times across DST, clocks. No I/O.
        .target(name: "Scheduling", dependencies: ["HeraldCore"], swiftSettings: swiftSettings),
        // Pure statistics. No I/O.
        .target(name: "Analytics", dependencies: ["HeraldCore", "Scheduling"], swiftSettings: swiftSettings),
        // Pure report model and renderers. No I/O.
        .target(name: "Reports", dependencies: ["HeraldCore", "Analytics"], swiftSettings: swiftSettings),
        // Pure autopilot: from an analysis and the guard rails to actions with reasons (Jobs applies and audits them).
        .target(name: "Autopilot", dependencies: ["HeraldCore", "Analytics"], swiftSettings: swiftSettings),
        // Pure channel rules and rendering: what each channel accepts (length, hashtags, SMS segments), and a variant
        // rendered for a channel with its tracking links. No I/O.
        .target(
            name: "Channels",
            dependencies: ["HeraldCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // Channel connectors: each platform's documented API over AsyncHTTPClient (publish with an idempotency key,
        // look a post up, read its engagement, check an account), the pure parts (requests, error classes, rate-limit
        // headers, Bluesky facets) apart from the I/O.
        .target(
            name: "Connectors",
            dependencies: [
                "HeraldCore", "Channels",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Local stand-ins for the platforms Herald publishes to, following each one's documented API, for tests,
        // benchmarks and rehearsals (this machine cannot reach the real services).
        .target(
            name: "PlatformStandIns",
            dependencies: [
                "HeraldCore", "Channels",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Pure content generation: templates, rule generator, features, diversity. No I/O.
        .target(
            name: "ContentVariants",
            dependencies: ["HeraldCore", "Channels", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // The LLM variant generator's HTTP transport (OpenAI-compatible chat completions).
        .target(
            name: "ContentVariantsLLM",
            dependencies: [
                "HeraldCore", "ContentVariants",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Finds, creates, starts and stops a local PostgreSQL cluster.
        .target(
            name: "EmbeddedPostgres",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // PostgreSQL access: client, migrations, repositories, ingest.
        .target(
            name: "Storage",
            dependencies: [
                "HeraldCore", "Channels", "Connectors",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("sql")],
            swiftSettings: swiftSettings
        ),
        // Job kinds and handlers, the scheduler loop and the worker runner.
        .target(
            name: "Jobs",
            dependencies: [
                "HeraldCore", "Channels", "Connectors", "Scheduling", "Analytics", "Reports", "Storage", "ContentVariants",
                "ContentVariantsLLM", "Autopilot",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The web back office at /app: server-rendered pages (Mustache, escaping by default), people, sessions and
        // CSRF; mounted by the HTTP service.
        .target(
            name: "WebApp",
            dependencies: [
                "HeraldCore", "Scheduling", "Storage", "Jobs", "Reports", "ContentVariants", "Connectors",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The HTTP service: REST API, auth, ingestion, tracking links, metrics; mounts the WebApp at /app.
        .target(
            name: "HTTPAPI",
            dependencies: [
                "Autopilot", "HeraldCore", "Channels", "Connectors", "Scheduling", "Analytics", "Storage", "Jobs", "Reports", "WebApp",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "herald",
            dependencies: [
                "Autopilot", "HeraldCore", "Scheduling", "Analytics", "Reports", "EmbeddedPostgres", "Storage", "Jobs",
                "Channels", "Connectors", "PlatformStandIns", "ContentVariants", "ContentVariantsLLM", "HTTPAPI", "WebApp",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Test helpers with no database, for pure test targets too: the JSON schema validator, a stub HTTP
        // server, a capturing log handler.
        .target(
            name: "HeraldTestKit",
            dependencies: [
                "EmbeddedPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/HeraldTestKit",
            swiftSettings: swiftSettings
        ),
        // Shared database test helpers: the throwaway PostgreSQL cluster, fixtures, running the CLI (re-exports HeraldTestKit).
        .target(
            name: "HeraldTestSupport",
            dependencies: [
                "HeraldTestKit", "EmbeddedPostgres", "HeraldCore", "Storage",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/HeraldTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HeraldCoreTests",
            dependencies: ["HeraldCore", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AnalyticsTests",
            dependencies: ["Analytics", "HeraldCore", .product(name: "PropertyBased", package: "swift-property-based")],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AutopilotTests",
            dependencies: ["Autopilot", "HeraldCore", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReportsTests",
            dependencies: ["Reports", "Analytics", "HeraldCore", "HeraldTestKit"],
            exclude: ["Snapshots"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ContentVariantsTests",
            dependencies: [
                "Channels", "ContentVariants", "ContentVariantsLLM", "HeraldCore", "HeraldTestKit",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ChannelsTests",
            dependencies: ["Channels", "HeraldCore", "HeraldTestKit", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConnectorsTests",
            dependencies: [
                "Connectors", "Channels", "PlatformStandIns", "HeraldCore", "HeraldTestKit",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SchedulingTests",
            dependencies: ["Scheduling", "HeraldCore", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EmbeddedPostgresTests",
            dependencies: ["EmbeddedPostgres", "HeraldTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "Storage", "HeraldCore", "Channels", "Connectors", "Scheduling", "HeraldTestSupport", "EmbeddedPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JobsTests",
            dependencies: [
                "Jobs", "Channels", "Connectors", "PlatformStandIns", "Storage", "Scheduling", "HeraldTestSupport", "EmbeddedPostgres", "Analytics",
                "Reports", "Autopilot",
                "HeraldCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HTTPAPITests",
            dependencies: [
                "HTTPAPI", "WebApp", "EmbeddedPostgres", "Storage", "HeraldCore", "HeraldTestSupport", "Jobs", "Channels", "Connectors", "Scheduling",
                "PlatformStandIns",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HeraldCLITests",
            dependencies: [
                "herald", "HeraldCore", "HeraldTestSupport", "Storage", "EmbeddedPostgres", "PlatformStandIns",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
