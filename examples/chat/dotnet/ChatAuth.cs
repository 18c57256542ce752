using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HubRx.Chat;

/// <summary>
/// Bearer JWTs for the hub, and the login routes that issue them. Tokens have the reference server's format
/// (HS256, <c>{"sub","iat","exp"}</c>, no issuer or audience; see test/server/README.md), so the mock server and this
/// server accept each other's. The login cookie holds a token of the same format signed with a key derived from the
/// signing key (<c>key + "/login-cookie"</c>), so a cookie is never a bearer token.
/// </summary>
public static class ChatAuth
{
    public const string ChatUserPolicy = "ChatUser";
    public const string CookieName = "hubrx_chat";
    public const string CookiePath = "/api";
    public const string BadBody = "Expected a JSON body {\"username\": string, \"password\": string}.";

    public static IServiceCollection AddChatAuthentication(this IServiceCollection services, ChatOptions chat)
    {
        services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = ValidationParameters(chat.SigningKey);
                options.TokenValidationParameters.NameClaimType = "sub";
                options.Events = new JwtBearerEvents
                {
                    // Browsers cannot send headers on WebSockets and EventSource: the token comes as access_token.
                    OnMessageReceived = context =>
                    {
                        if (string.IsNullOrEmpty(context.Request.Headers.Authorization))
                        {
                            var query = context.Request.Query["access_token"].ToString();
                            if (query.Length > 0) context.Token = query;
                        }

                        return Task.CompletedTask;
                    },
                    // SignalR's user id (Context.UserIdentifier) is the NameIdentifier claim.
                    OnTokenValidated = context =>
                    {
                        var subject = context.Principal?.FindFirst("sub")?.Value;
                        if (subject is not null && context.Principal!.Identity is ClaimsIdentity identity)
                            identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, subject));
                        return Task.CompletedTask;
                    },
                };
            });
        services.AddAuthorization(options => options.AddPolicy(ChatUserPolicy, policy =>
        {
            policy.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme);
            policy.RequireAuthenticatedUser();
            policy.RequireClaim(ClaimTypes.NameIdentifier);
        }));
        return services;
    }

    /// <summary><c>POST /api/token</c>, <c>POST /api/login</c>, <c>GET /api/token</c>, <c>POST /api/logout</c>.</summary>
    public static void MapChatLogin(this WebApplication app)
    {
        app.MapPost("/api/token", async (HttpContext http, IOptions<ChatOptions> options) =>
        {
            var user = await Authenticate(http.Request);
            return user.Error ?? IssueToken(http, options.Value, user.Name!);
        });

        app.MapGet("/api/token", async (HttpContext http, IOptions<ChatOptions> options) =>
        {
            var cookie = http.Request.Cookies[CookieName];
            if (string.IsNullOrEmpty(cookie)) return Results.Unauthorized();
            var result = await new JsonWebTokenHandler().ValidateTokenAsync(cookie, ValidationParameters(CookieKey(options.Value.SigningKey)));
            var subject = result.IsValid && result.Claims.TryGetValue("sub", out var sub) ? sub as string : null;
            return subject is null ? Results.Unauthorized() : IssueToken(http, options.Value, subject);
        });

        app.MapPost("/api/login", async (HttpContext http, IOptions<ChatOptions> options) =>
        {
            var user = await Authenticate(http.Request);
            if (user.Error is not null) return user.Error;
            var lifetime = options.Value.CookieLifetimeSeconds;
            var (value, _) = Issue(user.Name!, lifetime, CookieKey(options.Value.SigningKey));
            http.Response.Cookies.Append(CookieName, value, CookieOptions(TimeSpan.FromSeconds(lifetime)));
            http.Response.Headers.CacheControl = "no-store";
            return Results.NoContent();
        });

        app.MapPost("/api/logout", (HttpContext http) =>
        {
            http.Response.Cookies.Delete(CookieName, CookieOptions(null));
            http.Response.Headers.CacheControl = "no-store";
            return Results.NoContent();
        });
    }

    private static CookieOptions CookieOptions(TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Path = CookiePath,
        MaxAge = maxAge,
    };

    private static IResult IssueToken(HttpContext http, ChatOptions options, string user)
    {
        var (token, expires) = Issue(user, options.TokenLifetimeSeconds, options.SigningKey);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Json(new TokenResponse(token, ChatRules.IsoTime(expires)));
    }

    /// <summary>The user of a good <c>{ username, password }</c> body; 400 for another body, 401 for wrong credentials.</summary>
    private static async Task<(string? Name, IResult? Error)> Authenticate(HttpRequest request)
    {
        string? username = null, password = null;
        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            var root = body.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("username", out var u) && u.ValueKind == JsonValueKind.String
                && root.TryGetProperty("password", out var p) && p.ValueKind == JsonValueKind.String)
            {
                username = u.GetString();
                password = p.GetString();
            }
        }
        catch (JsonException)
        {
        }

        if (username is null || password is null) return (null, Results.Text(BadBody, "text/plain; charset=utf-8", statusCode: 400));
        var known = ChatRules.DemoUsers.Contains(username, StringComparer.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(ChatRules.DemoPassword));
        return known ? (username, null) : (null, Results.Unauthorized());
    }

    private static string CookieKey(string signingKey) => signingKey + "/login-cookie";

    /// <summary>A token for <paramref name="user"/>: <c>{"sub","iat","exp"}</c>, HS256 with <paramref name="key"/>.</summary>
    private static (string Token, DateTimeOffset Expires) Issue(string user, int lifetimeSeconds, string key)
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
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes(signingInput));
        return (signingInput + "." + Base64UrlEncoder.Encode(signature), DateTimeOffset.FromUnixTimeSeconds(now + lifetimeSeconds));
    }

    private static TokenValidationParameters ValidationParameters(string key) => new()
    {
        ValidateIssuer = false,
        ValidateAudience = false,
        ValidateActor = false,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = true,
        IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        // Short test tokens must really expire when they say.
        ClockSkew = TimeSpan.Zero,
    };
}
