// Database tests get the pure helpers (JSON schema validator, stub HTTP server, capturing log handler)
// with `import HeraldTestSupport`; pure test targets import HeraldTestKit alone.
@_exported import HeraldTestKit
