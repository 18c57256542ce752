using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;

namespace HubRx.Chat;

/// <summary>
/// Several instances of the chat server (README.md, "Several instances"): the Redis backplane, presence and history in
/// Redis, a health route for the load balancer, the instance's name on every answer; and Azure SignalR Service's flow,
/// where the app's negotiate sends clients to the service.
/// </summary>
public static class ScaleOut
{
    public const string InstanceHeader = "X-Hubrx-Instance";

    /// <summary>
    /// Connects to Redis (a startup error when it cannot: an instance that silently kept its clients to itself would
    /// split the chat), and puts the backplane, presence and history there.
    /// </summary>
    public static void AddChatRedis(this ISignalRServerBuilder signalR, IServiceCollection services, ChatOptions chat)
    {
        var redis = ConnectionMultiplexer.Connect(chat.Redis!);
        services.AddSingleton<IConnectionMultiplexer>(redis);
        services.AddSingleton<ChatInstance>();
        services.AddSingleton<IPresenceTracker, RedisPresenceTracker>();
        services.AddSingleton<IRoomHistory, RedisRoomHistory>();
        services.AddHostedService<InstanceHeartbeat>();
        signalR.AddStackExchangeRedis(options =>
        {
            options.Configuration.ChannelPrefix = RedisChannel.Literal(chat.RedisPrefix);
            options.ConnectionFactory = _ => Task.FromResult<IConnectionMultiplexer>(redis);
        });
    }

    /// <summary><c>GET /api/health</c> (200 <c>ok</c>: the load balancer's check) and the instance's name on every answer.</summary>
    public static void UseInstanceName(this WebApplication app, ChatOptions chat)
    {
        app.Use((context, next) =>
        {
            context.Response.Headers[InstanceHeader] = chat.Instance;
            return next(context);
        });
        app.MapGet("/api/health", () => Results.Text("ok"));
    }

    /// <summary><c>GET /api/diagnostics</c> and <c>POST /api/diagnostics/reset</c> (see <see cref="ChatDiagnostics"/>).</summary>
    public static void MapChatDiagnostics(this WebApplication app, ChatDiagnostics diagnostics, ChatOptions chat)
    {
        app.MapGet("/api/diagnostics", (long? after) => Results.Json(diagnostics.Snapshot(chat, after ?? 0)));
        app.MapPost("/api/diagnostics/reset", () =>
        {
            diagnostics.Reset();
            return Results.NoContent();
        });
    }

    /// <summary>
    /// Azure SignalR Service's flow: <c>POST /hubs/chat/negotiate</c> (the user authenticated as for the hub) answers
    /// <c>{"url": service URL, "accessToken": a token for the service}</c>, HS256 with the service key, for the user
    /// (<c>sub</c>, <c>nameid</c>) and the service URL (<c>aud</c>), valid for the token lifetime. The client negotiates
    /// again at the service with that token and connects there; the app serves no hub connection.
    /// </summary>
    public static void MapServiceNegotiate(this WebApplication app, string hubPath, ChatOptions chat)
    {
        app.MapPost(hubPath + "/negotiate", (HttpContext http) =>
        {
            var user = http.User.FindFirst("sub")?.Value!;
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var token = Sign(chat.ServiceKey!, new Dictionary<string, object>
            {
                ["sub"] = user,
                ["nameid"] = user,
                ["aud"] = chat.ServiceUrl!,
                ["iat"] = now,
                ["exp"] = now + chat.TokenLifetimeSeconds,
            });
            http.Response.Headers.CacheControl = "no-store";
            return Results.Json(new { url = chat.ServiceUrl, accessToken = token });
        }).RequireAuthorization(ChatAuth.ChatUserPolicy);
    }

    private static string Sign(string key, Dictionary<string, object> claims)
    {
        var header = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["alg"] = "HS256", ["typ"] = "JWT" }));
        var input = header + "." + Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(claims));
        return input + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes(input)));
    }
}
