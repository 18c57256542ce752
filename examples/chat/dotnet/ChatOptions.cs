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

    /// <summary>A startup error for a setting out of range, or null.</summary>
    public string? Validate()
    {
        if (TokenLifetimeSeconds <= 0) return $"The token lifetime must be a whole number of seconds greater than 0, got {TokenLifetimeSeconds}.";
        if (ReceiptTimeoutMs <= 0) return $"The read receipt timeout must be a whole number of milliseconds greater than 0, got {ReceiptTimeoutMs}.";
        if (CookieLifetimeSeconds <= 0) return $"The cookie lifetime must be a whole number of seconds greater than 0, got {CookieLifetimeSeconds}.";
        if (SigningKey.Length < 32) return "The signing key must be at least 32 characters long (HS256 needs 256 bits).";
        return null;
    }
}
