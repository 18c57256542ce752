using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace HubRx.ReferenceServer;

/// <summary>
/// The test JWTs: HS256 over the shared test key, so that the TypeScript mock server can issue and validate
/// exactly the same tokens. Format (see README.md):
/// header <c>{"alg":"HS256","typ":"JWT"}</c>, payload <c>{"sub":NAME,"iat":NOW,"exp":NOW+N}</c> (seconds since the
/// Unix epoch), no issuer, no audience.
/// </summary>
public static class TestJwt
{
    public const string SigningKey = "hubrx-test-signing-key-0123456789abcdef";
    public const string DefaultUser = "testuser";
    public const int DefaultLifetimeSeconds = 5;

    private static readonly byte[] KeyBytes = Encoding.UTF8.GetBytes(SigningKey);

    /// <summary>Issues a token for <paramref name="user"/>; a lifetime of zero or less gives an already expired token.</summary>
    public static string Issue(string user, int lifetimeSeconds)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["alg"] = "HS256", ["typ"] = "JWT" });
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["sub"] = user,
            ["iat"] = now,
            ["exp"] = now + lifetimeSeconds,
        });
        var signingInput = Base64UrlEncoder.Encode(header) + "." + Base64UrlEncoder.Encode(payload);
        var signature = HMACSHA256.HashData(KeyBytes, Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    public static TokenValidationParameters ValidationParameters() => new()
    {
        ValidateIssuer = false,
        ValidateAudience = false,
        ValidateActor = false,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = true,
        IssuerSigningKey = new SymmetricSecurityKey(KeyBytes),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        // 5-second tokens must really expire after 5 seconds.
        ClockSkew = TimeSpan.Zero,
    };
}
