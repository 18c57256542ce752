namespace HubRx.Chat;

/// <summary>
/// The chat server's settings (configuration section <c>Chat</c>; command line <c>--token-lifetime</c>,
/// <c>--receipt-timeout-ms</c>; environment <c>HUBRX_CHAT_TOKEN_LIFETIME</c>, <c>HUBRX_CHAT_RECEIPT_TIMEOUT_MS</c>).
/// The defaults are those of the mock server's chat preset.
/// </summary>
public sealed class ChatOptions
{
    public const string Section = "Chat";

    /// <summary>The access tokens' lifetime, in seconds. Default 900 (15 minutes).</summary>
    public int TokenLifetimeSeconds { get; set; } = 900;

    /// <summary>How long <c>SendDirect</c> waits for the recipient's read receipt, in milliseconds. Default 10 000.</summary>
    public int ReceiptTimeoutMs { get; set; } = 10_000;

    /// <summary>The login cookie's lifetime, in seconds. Default 43 200 (12 hours).</summary>
    public int CookieLifetimeSeconds { get; set; } = 43_200;

    /// <summary>The HS256 key tokens are signed with (the test key the reference server and the mock server share).</summary>
    public string SigningKey { get; set; } = "hubrx-test-signing-key-0123456789abcdef";

    /// <summary>
    /// The rooms (groups) the hub offers. Default the contract's <c>general</c>, <c>random</c>, <c>dotnet</c>; the scale
    /// bench adds more (<c>--rooms</c>), since a room there holds 50 of 2,000 clients.
    /// </summary>
    public string[] Rooms { get; set; } = ["general", "random", "dotnet"];

    /// <summary>
    /// Several instances behind a load balancer (README.md, "Several instances"): the Redis backplane, presence and
    /// history in Redis. Unset (the default): one instance, everything in memory.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>The prefix of every Redis key and channel this app uses, so that apps can share a Redis. Default <c>hubrx-chat</c>.</summary>
    public string RedisPrefix { get; set; } = "hubrx-chat";

    /// <summary>
    /// This instance's name (the <c>X-Hubrx-Instance</c> response header, the diagnostics, the presence of its connections
    /// in Redis). Unique per instance; default a random one.
    /// </summary>
    public string Instance { get; set; } = $"instance-{Guid.NewGuid():N}"[..17];

    /// <summary>
    /// How long an instance that stopped renewing its heartbeat in Redis is still taken for alive; then another instance
    /// forgets its connections (<c>userLeft</c> for users who had no other). Default 15 000 ms; the heartbeat is a third.
    /// </summary>
    public int InstanceTimeoutMs { get; set; } = 15_000;

    /// <summary>Allow stateful reconnect on the hub (<c>AllowStatefulReconnects</c>). Default false, as the mock server's chat preset.</summary>
    public bool StatefulReconnect { get; set; }

    /// <summary><c>GET /api/diagnostics</c>: what this instance served (tests and benches only; never in production).</summary>
    public bool Diagnostics { get; set; }

    /// <summary>
    /// Azure SignalR Service's flow: the hub's negotiate redirects clients to this service URL with an access token of its
    /// own (<see cref="ServiceKey"/>), and this app serves no hub connection itself. Unset: the hub is served here.
    /// </summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The key the service's access tokens are signed with (HS256; Azure's AccessKey). Required with <see cref="ServiceUrl"/>.</summary>
    public string? ServiceKey { get; set; }

    /// <summary>A startup error for a setting out of range, or null.</summary>
    public string? Validate()
    {
        if (Rooms.Length == 0 || Rooms.Any(room => string.IsNullOrWhiteSpace(room) || room.Length > 64))
            return "The rooms must be a comma-separated list of names of 1 to 64 characters.";
        if (Rooms.Distinct(StringComparer.Ordinal).Count() != Rooms.Length) return "The rooms must not repeat a name.";
        if (string.IsNullOrWhiteSpace(Instance) || Instance.Length > 64) return "The instance name must be 1 to 64 characters.";
        if (InstanceTimeoutMs < 300) return $"The instance timeout must be at least 300 ms, got {InstanceTimeoutMs}.";
        if (ServiceUrl is not null)
        {
            if (!Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var service) || (service.Scheme != "http" && service.Scheme != "https"))
                return $"The service URL must be an absolute http(s) URL, got '{ServiceUrl}'.";
            if (ServiceKey is null || ServiceKey.Length < 32) return "The service key must be at least 32 characters long (HS256 needs 256 bits).";
        }
        if (TokenLifetimeSeconds <= 0) return $"The token lifetime must be a whole number of seconds greater than 0, got {TokenLifetimeSeconds}.";
        if (ReceiptTimeoutMs <= 0) return $"The read receipt timeout must be a whole number of milliseconds greater than 0, got {ReceiptTimeoutMs}.";
        if (CookieLifetimeSeconds <= 0) return $"The cookie lifetime must be a whole number of seconds greater than 0, got {CookieLifetimeSeconds}.";
        if (SigningKey.Length < 32) return "The signing key must be at least 32 characters long (HS256 needs 256 bits).";
        return null;
    }
}
